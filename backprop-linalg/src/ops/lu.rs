//! LU decomposition with partial pivoting: [`lu`], with a `try_` form.
//!
//! `A = P·L·U` (SciPy's `scipy.linalg.lu` convention): `P` a permutation matrix, `L` unit
//! lower-triangular, `U` upper-triangular. `L` and `U` are differentiable; `P` is piecewise
//! constant in `A` (it changes only where two pivot candidates tie), so its gradient is zero and
//! a cotangent on it is ignored. The pivots follow the backend's partial pivoting (the largest
//! candidate in magnitude), identical on every backend.

use backprop_backend::{Transpose, Triangle};
use backprop_core::{BVar, Val};

use crate::backend::{Backend, LinalgError, one, or_fail, zero};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::solve::tri_solve;
use crate::ops::structure::transpose;
use crate::ops::support::masks::{Mask, masked};
use crate::ops::support::record::{product, pull_product, rule1};
use crate::{L, Sq};

use Transpose::{No, Yes};

/// The LU decomposition `A = P·L·U` of a square matrix with partial pivoting: `(P, L, U)`, `P`
/// a permutation matrix, `L` unit lower-triangular, `U` upper-triangular (hmatrix's `lu`, in
/// SciPy's convention). Split the result with `.split()`.
///
/// Gradient (P constant; e.g. the rule JAX uses for `lu`, from `P·(dL·U + L·dU) = dA`):
/// `Ā = P·L⁻ᵀ·(tril₋(Lᵀ·L̄) + triu(Ū·Uᵀ))·U⁻ᵀ`, `tril₋` the strictly lower triangle. The rule is
/// written with recorded products, masks and triangular solves, so it differentiates again
/// ([`hvp`](crate::hvp), [`jvp`](crate::jvp)).
///
/// ```
/// use backprop_linalg::{Sq, eval_bp, lu};
/// use backprop_linalg::typenum::U2;
///
/// let a = Sq::<U2>::from_row_major(&[1.0, 2.0, 3.0, 4.0]);
/// let (p, l, u) = eval_bp(lu, &a);
/// assert_eq!(l.get(0, 1), 0.0); // L is lower-triangular...
/// assert_eq!(u.get(1, 0), 0.0); // ...U upper-triangular,
/// assert_eq!(p.get(1, 0), 1.0); // and the row with the larger first entry leads.
/// ```
///
/// # Panics
/// As [`try_lu`].
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn lu<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, (Sq<N, B>, Sq<N, B>, Sq<N, B>)>
where
    N: Dim,
    B: Backend,
{
    or_fail(try_lu(a))
}

/// [`lu`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::Singular`] if `A` is singular (a zero pivot, or smallest/largest pivot
/// ≤ 100·n·ε: `U` is then not invertible and the gradient does not exist);
/// [`LinalgError::NonFinite`] for NaN or infinite entries; both naming `lu`.
#[allow(clippy::type_complexity)]
pub fn try_lu<'t, N, B>(
    a: BVar<'t, Sq<N, B>>,
) -> Result<BVar<'t, (Sq<N, B>, Sq<N, B>, Sq<N, B>)>, LinalgError>
where
    N: Dim,
    B: Backend,
{
    const OP: &str = "lu";
    let f = B::lu(a.value().data()).map_err(|e| e.with_op(OP))?;
    let n = B::mat_shape(&f.u).0;
    let pivots: Vec<B::Real> = (0..n).map(|i| B::mat_get(&f.u, i, i)).collect();
    if backprop_backend::conventions::is_singular(&pivots) {
        return Err(LinalgError::Singular { op: OP });
    }
    // `P·A = L·U` row by row (`perm`) is `A = Pᵀ·L·U`: the returned `P` has a one at
    // `(perm[i], i)`.
    let p = B::mat_from_fn(n, n, |r, c| if f.perm[c] == r { one() } else { zero() });
    let out = (L::wrap(p), L::wrap(f.l), L::wrap(f.u));
    Ok(rule1(a, out, move |cx, ia, out, dy| {
        if !cx.wants(ia) {
            return;
        }
        let (p, l, u) = out.unzip();
        let (_, dl, du) = dy.unzip();
        // tril₋(Lᵀ·L̄) + triu(Ū·Uᵀ).
        let ltl: Val<'_, Sq<N, B>> = product(&l, Yes, &dl, No);
        let uut: Val<'_, Sq<N, B>> = product(&du, No, &u, Yes);
        let middle = masked(ltl, Mask::StrictLower) + masked(uut, Mask::Upper);
        // L⁻ᵀ·M·U⁻ᵀ = (U⁻¹·(L⁻ᵀ·M)ᵀ)ᵀ, by two triangular solves.
        let left = tri_solve(OP, &l, middle, Triangle::Lower, Yes);
        let right = tri_solve(OP, &u, transpose(left), Triangle::Upper, No);
        pull_product(cx, ia, &p, No, &right, Yes);
    }))
}
