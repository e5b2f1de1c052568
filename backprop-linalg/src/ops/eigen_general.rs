//! Eigendecomposition of a general (non-symmetric) real matrix: [`eig`] (values and vectors)
//! and [`eigenvalues_general`], each with a `try_` form. A real input with complex outputs, on
//! one tape.
//!
//! Conventions (those of [`Factorize::eigen_general`](backprop_backend::Factorize), identical
//! on every backend): eigenvalues by descending real part, then descending imaginary part (a
//! conjugate pair as `a + ib`, `a − ib`, `b > 0`); each eigenvector of unit 2-norm with its
//! entry of largest modulus real and positive.
//!
//! # Gradients, and what they refuse
//! An eigenvector is defined up to a complex phase; the normalisation above picks one, but a
//! loss that depends on that choice has no meaningful gradient (the choice jumps where two
//! entries' moduli cross). The rule below is exact for losses invariant under
//! `vᵢ → e^{iφ}·vᵢ` (`|vᵢₖ|`, `V·diag(λ)·V⁻¹`, `vᵢ·vᵢᴴ`, ...). For those, `Im(vᵢᴴ·v̄ᵢ) = 0`;
//! the backward pass checks it (relative tolerance `√ε`) and **panics**, naming `eig`, for a
//! cotangent that depends on the phase, as PyTorch's `linalg.eig` does. It also panics when a
//! cotangent reaches the vectors at repeated eigenvalues (`|λᵢ − λⱼ| ≤ 4·n·ε·max|λ|`), where
//! they have no derivative. Values-only gradients exist where the eigenvalues are simple; at
//! repeated ones the backward pass works only if the computed eigenvectors are independent
//! (backend-dependent), and otherwise panics, never returning NaN.

use backprop_backend::{LinalgBackend, Transpose};
use backprop_core::BVar;
use num_complex::Complex;
use num_traits::Float;

use crate::backend::{
    Backend, ComplexBackend, ComplexMatrix, ComplexOf, LinalgError, RealMatrix, or_fail, sized,
    zero,
};
use crate::dense::{Construct, Dense};
use crate::dim::Dim;
use crate::ops::support::record::record1;
use crate::{C, L, M, Sq};

use Transpose::{Adjoint, No};

/// Complex storage of `B`, built entry by entry.
fn cx_from_fn<B: ComplexBackend>(
    n: usize,
    m: usize,
    f: impl FnMut(usize, usize) -> ComplexOf<B>,
) -> ComplexMatrix<B> {
    <B as LinalgBackend<ComplexOf<B>>>::mat_from_fn(n, m, f)
}

fn cx_get<B: ComplexBackend>(a: &ComplexMatrix<B>, i: usize, j: usize) -> ComplexOf<B> {
    <B as LinalgBackend<ComplexOf<B>>>::mat_get(a, i, j)
}

fn cx_mul<B: ComplexBackend>(
    a: &ComplexMatrix<B>,
    ta: Transpose,
    b: &ComplexMatrix<B>,
    tb: Transpose,
) -> ComplexMatrix<B> {
    sized(<B as LinalgBackend<ComplexOf<B>>>::matmul(a, ta, b, tb))
}

/// Entry `(i, j)` of a real matrix (a function bounded by `Backend` alone, so the call is not
/// ambiguous between `B`'s real and complex storage).
fn re_get<B: Backend>(a: &RealMatrix<B>, i: usize, j: usize) -> B::Real {
    B::mat_get(a, i, j)
}

fn re_from_fn<B: Backend>(
    n: usize,
    m: usize,
    f: impl FnMut(usize, usize) -> B::Real,
) -> RealMatrix<B> {
    B::mat_from_fn(n, m, f)
}

/// `S⁻¹·T` for a complex square `S`, by the real system
/// `[[Sᵣ, −Sᵢ], [Sᵢ, Sᵣ]]·[Xᵣ; Xᵢ] = [Tᵣ; Tᵢ]` and the backend's real LU.
fn cx_solve<B: ComplexBackend>(
    op: &'static str,
    s: &ComplexMatrix<B>,
    t: &ComplexMatrix<B>,
) -> Result<ComplexMatrix<B>, LinalgError> {
    let n = <B as LinalgBackend<ComplexOf<B>>>::mat_shape(s).0;
    let k = <B as LinalgBackend<ComplexOf<B>>>::mat_shape(t).1;
    let big = re_from_fn::<B>(2 * n, 2 * n, |i, j| {
        let z = cx_get::<B>(s, i % n, j % n);
        match (i < n, j < n) {
            (true, false) => -z.im,
            (false, true) => z.im,
            _ => z.re,
        }
    });
    let rhs = re_from_fn::<B>(2 * n, k, |i, j| {
        let z = cx_get::<B>(t, i % n, j);
        if i < n { z.re } else { z.im }
    });
    let x = solve_real::<B>(&big, &rhs).map_err(|e| e.with_op(op))?;
    Ok(cx_from_fn::<B>(n, k, |i, j| {
        Complex::new(re_get::<B>(&x, i, j), re_get::<B>(&x, i + n, j))
    }))
}

fn solve_real<B: Backend>(
    a: &RealMatrix<B>,
    b: &RealMatrix<B>,
) -> Result<RealMatrix<B>, LinalgError> {
    B::solve(a, b)
}

/// The eigendecomposition of `A` as the values and the complex matrix `V`.
fn decompose<B: ComplexBackend>(
    op: &'static str,
    a: &RealMatrix<B>,
) -> Result<(Vec<ComplexOf<B>>, ComplexMatrix<B>), LinalgError> {
    let e = eigen_general::<B>(a).map_err(|e| e.with_op(op))?;
    let n = e.values.len();
    let v = cx_from_fn::<B>(n, n, |i, j| {
        Complex::new(
            re_get::<B>(&e.vectors_re, i, j),
            re_get::<B>(&e.vectors_im, i, j),
        )
    });
    Ok((e.values, v))
}

/// The eigenvalues as a complex vector.
fn values_vector<N: Dim, B: ComplexBackend>(values: &[ComplexOf<B>]) -> C<N, B> {
    C::wrap(<B as LinalgBackend<ComplexOf<B>>>::vec_from_fn(
        values.len(),
        |i| values[i],
    ))
}

#[allow(clippy::type_complexity)]
fn eigen_general<B: Backend>(
    a: &RealMatrix<B>,
) -> Result<backprop_backend::GeneralEigen<RealMatrix<B>, B::Real>, LinalgError> {
    B::eigen_general(a)
}

/// Panics unless the eigenvalues are pairwise apart by more than `4·n·ε·max|λ|`.
#[track_caller]
fn assert_simple<T: backprop_backend::RealScalar>(op: &'static str, values: &[Complex<T>]) {
    let n = values.len();
    let scale = values.iter().fold(T::zero(), |m, z| m.max(z.norm()));
    let tol = T::from_f64_real(4.0) * T::from_usize(n) * T::epsilon() * scale;
    for i in 0..n {
        for j in i + 1..n {
            assert!(
                (values[i] - values[j]).norm() > tol,
                "{op}: the gradient through the eigenvectors is undefined at repeated eigenvalues \
                 ({:?} and {:?} at positions {i} and {j}); differentiate only the values, or \
                 perturb the input",
                values[i],
                values[j],
            );
        }
    }
}

/// The rule of [`eig`]: `Ā = Re(V⁻ᴴ·K·Vᴴ)`, `K` of the documentation (with `dv` absent or zero,
/// `K = diag(λ̄)`).
fn eig_pullback<B: ComplexBackend>(
    op: &'static str,
    lambda: &[ComplexOf<B>],
    v: &ComplexMatrix<B>,
    dlambda: &[ComplexOf<B>],
    dv: Option<&ComplexMatrix<B>>,
) -> RealMatrix<B> {
    let n = lambda.len();
    let czero = Complex::new(zero::<B::Real>(), zero::<B::Real>());
    let mut k = cx_from_fn::<B>(n, n, |i, j| if i == j { dlambda[i] } else { czero });
    let dv = dv.filter(|dv| (0..n * n).any(|p| cx_get::<B>(dv, p / n, p % n) != czero));
    if let Some(dv) = dv {
        assert_simple(op, lambda);
        let h = cx_mul::<B>(v, Adjoint, dv, No);
        let vhv = cx_mul::<B>(v, Adjoint, v, No);
        let tol = B::Real::epsilon().sqrt();
        for j in 0..n {
            let column = (0..n).fold(zero::<B::Real>(), |s, i| {
                s + cx_get::<B>(dv, i, j).norm_sqr()
            });
            let hjj = cx_get::<B>(&h, j, j);
            assert!(
                hjj.im.abs() <= tol * column.sqrt(),
                "{op}: the cotangent of eigenvector {j} depends on its phase (Im(vᴴ·v̄) = {} for \
                 |v̄| = {}): eigenvectors are defined only up to a factor e^(iφ), so only losses \
                 invariant under it (such as |vₖ|, v·vᴴ or V·diag(λ)·V⁻¹) have a gradient",
                hjj.im,
                column.sqrt(),
            );
        }
        k = cx_from_fn::<B>(n, n, |i, j| {
            if i == j {
                dlambda[i]
            } else {
                // (H − VᴴV·diag(Re diag H))ᵢⱼ / conj(λⱼ − λᵢ)
                let hjj = cx_get::<B>(&h, j, j).re;
                (cx_get::<B>(&h, i, j) - cx_get::<B>(&vhv, i, j) * hjj)
                    / (lambda[j] - lambda[i]).conj()
            }
        });
    }
    let kvh = cx_mul::<B>(&k, No, v, Adjoint);
    let vh = cx_from_fn::<B>(n, n, |i, j| cx_get::<B>(v, j, i).conj());
    let x = cx_solve::<B>(op, &vh, &kvh).unwrap_or_else(|_| {
        panic!(
            "{op}: the eigenvectors are not linearly independent (a defective or nearly \
             defective matrix), so the eigenvalues have no gradient there"
        )
    });
    re_from_fn::<B>(n, n, |i, j| cx_get::<B>(&x, i, j).re)
}

/// The eigendecomposition `A·V = V·diag(λ)` of a general real square matrix (numpy's and
/// PyTorch's `eig`; hmatrix's `eig`): `(λ, V)`, complex, with the eigenvalues by descending
/// real part (then imaginary part) and the eigenvectors as the columns of `V`, each of unit
/// norm with its largest-modulus entry real and positive. Split the result with `.split()`.
///
/// Gradient (Giles 2008, §3.1; the rule PyTorch documents for `linalg.eig`): with `H = Vᴴ·V̄`,
/// `Kᵢᵢ = λ̄ᵢ`, `Kᵢⱼ = (H − VᴴV·diag(Re Hⱼⱼ))ᵢⱼ / conj(λⱼ − λᵢ)`, the gradient is
/// `Ā = Re(V⁻ᴴ·K·Vᴴ)` (the real part for a real input; the `diag(Re H)` term accounts for
/// the unit norm of the vectors). Cotangents follow the crate's complex convention
/// (`z̄ = x̄ + i·ȳ`).
///
/// ```
/// use backprop_linalg::{Sq, eig, eval_bp};
/// use backprop_linalg::typenum::U2;
///
/// // A rotation by 90°: eigenvalues ±i.
/// let a = Sq::<U2>::from_row_major(&[0.0, -1.0, 1.0, 0.0]);
/// let (lambda, v) = eval_bp(eig, &a);
/// let lambda = lambda.to_vec();
/// assert!((lambda[0].im - 1.0).abs() < 1e-15 && lambda[0].re.abs() < 1e-15);
/// assert!((lambda[1].im + 1.0).abs() < 1e-15);
/// assert!((v.get(0, 0).norm() - 0.5f64.sqrt()).abs() < 1e-15);
/// ```
///
/// # Panics
/// - As [`try_eig`] for bad input.
/// - In the backward pass: when a cotangent on `V` depends on the vectors' phases, or reaches
///   them at repeated eigenvalues (see the module documentation), or when `V` is singular.
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn eig<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, (C<N, B>, M<N, N, B>)>
where
    N: Dim,
    B: ComplexBackend,
{
    or_fail(try_eig(a))
}

/// [`eig`], returning an error instead of panicking.
///
/// # Errors
/// [`LinalgError::NonFinite`] for NaN or infinite entries, [`LinalgError::NoConvergence`] if
/// the eigensolver does not converge, [`LinalgError::ShapeMismatch`] for a non-square matrix
/// (possible only with run-time sizes); all name `eig`.
#[allow(clippy::type_complexity)]
pub fn try_eig<'t, N, B>(
    a: BVar<'t, Sq<N, B>>,
) -> Result<BVar<'t, (C<N, B>, M<N, N, B>)>, LinalgError>
where
    N: Dim,
    B: ComplexBackend,
{
    const OP: &str = "eig";
    let (values, v) = decompose::<B>(OP, a.value().data())?;
    let lambda = values_vector::<N, B>(&values);
    Ok(record1(
        a,
        (lambda, M::wrap(v)),
        |ctx, ia, (lambda, v), (dl, dv)| {
            let g = eig_pullback::<B>(
                OP,
                &lambda.to_vec(),
                v.data(),
                &dl.to_vec(),
                Some(dv.data()),
            );
            ctx.add(ia, L::wrap(g));
        },
    ))
}

/// The eigenvalues of a general real square matrix, complex, by descending real part (then
/// imaginary part): [`eig`]'s values alone.
///
/// Gradient: `Ā = Re(V⁻ᴴ·diag(λ̄)·Vᴴ)`, defined wherever the eigenvalues are simple.
///
/// # Panics
/// As [`try_eigenvalues_general`]; in the backward pass if the computed eigenvectors are not
/// linearly independent (a defective matrix, or a repeated eigenvalue on a backend that
/// returns one vector for it).
#[track_caller]
pub fn eigenvalues_general<'t, N, B>(a: BVar<'t, Sq<N, B>>) -> BVar<'t, C<N, B>>
where
    N: Dim,
    B: ComplexBackend,
{
    or_fail(try_eigenvalues_general(a))
}

/// [`eigenvalues_general`], returning an error instead of panicking.
///
/// # Errors
/// As [`try_eig`], naming `eigenvalues_general`.
pub fn try_eigenvalues_general<'t, N, B>(
    a: BVar<'t, Sq<N, B>>,
) -> Result<BVar<'t, C<N, B>>, LinalgError>
where
    N: Dim,
    B: ComplexBackend,
{
    const OP: &str = "eigenvalues_general";
    let (values, v) = decompose::<B>(OP, a.value().data())?;
    let lambda = values_vector::<N, B>(&values);
    Ok(record1(a, lambda, move |ctx, ia, _, dl| {
        let g = eig_pullback::<B>(OP, &values, &v, &dl.to_vec(), None);
        ctx.add(ia, L::wrap(g));
    }))
}
