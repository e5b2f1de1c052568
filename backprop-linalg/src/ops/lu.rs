//! LU decomposition with partial pivoting: [`lu`], with a `try_` form.
//!
//! `A = P·L·U` (SciPy's `scipy.linalg.lu` convention): `P` a permutation matrix, `L` unit
//! lower-triangular, `U` upper-triangular. `L` and `U` are differentiable; `P` is piecewise
//! constant in `A` (it changes only where two pivot candidates tie), so its gradient is zero and
//! a cotangent on it is ignored. The pivots follow the backend's partial pivoting (the largest
//! candidate in magnitude), identical on every backend.

use backprop_backend::{Transpose, Triangle};
use backprop_core::BVar;

use crate::backend::{Backend, LinalgError, RealMatrix, one, or_fail, sized, zero};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::support::record::record1;
use crate::{L, Sq};

use Transpose::{No, Yes};

/// The LU decomposition `A = P·L·U` of a square matrix with partial pivoting: `(P, L, U)`, `P`
/// a permutation matrix, `L` unit lower-triangular, `U` upper-triangular (hmatrix's `lu`, in
/// SciPy's convention). Split the result with `.split()`.
///
/// Gradient (P constant; e.g. the rule JAX uses for `lu`, from `P·(dL·U + L·dU) = dA`):
/// `Ā = P·L⁻ᵀ·(tril₋(Lᵀ·L̄) + triu(Ū·Uᵀ))·U⁻ᵀ`, `tril₋` the strictly lower triangle.
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
    Ok(record1(a, out, move |ctx, ia, (p, l, u), (_, dl, du)| {
        let (p, l, u) = (p.data(), l.data(), u.data());
        // tril₋(Lᵀ·L̄) + triu(Ū·Uᵀ).
        let ltl = sized(B::matmul(l, Yes, dl.data(), No));
        let uut = sized(B::matmul(du.data(), No, u, Yes));
        let middle = B::mat_from_fn(n, n, |i, j| {
            if i > j {
                B::mat_get(&ltl, i, j)
            } else {
                B::mat_get(&uut, i, j)
            }
        });
        // L⁻ᵀ·M·U⁻ᵀ = L⁻ᵀ·(U⁻¹·(M)ᵀ)ᵀ, by two triangular solves.
        let left = solve::<B>(l, &middle, Triangle::Lower, Yes);
        let right = solve::<B>(u, &B::mat_transpose(&left), Triangle::Upper, No);
        let grad = sized(B::matmul(p, No, &right, Yes));
        ctx.add(ia, L::wrap(grad));
    }))
}

/// `op(T)⁻¹·X` for the triangular factor `t` of an LU decomposition (invertible: checked in
/// the forward pass).
fn solve<B: Backend>(
    t: &RealMatrix<B>,
    x: &RealMatrix<B>,
    tri: Triangle,
    trans: Transpose,
) -> RealMatrix<B> {
    sized(B::solve_triangular(t, x, tri, trans))
}
