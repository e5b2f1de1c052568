//! [`slogdet`]: the log-determinant with its sign (numpy's `slogdet`; hmatrix's `invlndet`
//! without the inverse).

use backprop_core::BVar;
use typenum::Unsigned;

use crate::backend::{Backend, LinalgError, fail};
use crate::dense::Dense;
use crate::ops::determinant::{inverse, ln_abs_det};
use crate::ops::record::{add_scaled, record1};
use crate::{L, Sq};

/// `(ln|det A|, sign det A)` of an invertible square matrix, with `sign = ±1`. Split the result
/// with `.split()`.
///
/// Gradient (Giles 2008, §2.2.4): `Ā = l̄·A⁻ᵀ`; the sign is piecewise constant and gets none.
/// Unlike `ln(det A)`, it neither overflows nor underflows for large or small determinants.
///
/// # Panics
/// As [`try_slogdet`].
#[track_caller]
pub fn slogdet<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, (f64, f64)>
where
    N: Unsigned + 'static,
    B: Backend,
{
    try_slogdet(a).unwrap_or_else(|e| fail(e))
}

/// [`slogdet`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] for a singular matrix (by the rule of
/// [`is_singular`](backprop_backend::conventions::is_singular): its `ln|det|` is `−∞` or has
/// no correct digits, and `A⁻ᵀ` does not exist), [`LinalgError::NonFinite`] for NaN or infinite
/// entries; both name `slogdet`.
pub fn try_slogdet<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> Result<BVar<'t, (f64, f64)>, LinalgError>
where
    N: Unsigned + 'static,
    B: Backend,
{
    const OP: &str = "slogdet";
    let inv_t = L::<N, N, B>::wrap(B::mat_transpose(&inverse::<B>(OP, a.value().data())?));
    let ln_sign = ln_abs_det::<B>(OP, a.value().data());
    Ok(record1(a, ln_sign, move |ctx, ia, _, (dl, _)| {
        add_scaled(ctx, ia, dl, &inv_t);
    }))
}
