//! The numerics this backend runs through nalgebra: products ([`NalgebraScalar`]) and
//! decompositions ([`NalgebraReal`]), as methods of the scalar.
//!
//! nalgebra's algorithms are generic over the scalar, and a generic function is compiled in the
//! crate that names its type arguments; called from generic code (the backend is generic over
//! its precision) they would be compiled again, unoptimised, in every debug build and test
//! binary that uses the backend. Implementing the traits for the concrete scalars *here*
//! compiles each routine once, in this crate, with the optimisation the workspace gives its
//! backends (`[profile.dev.package.backprop-nalgebra]`), and every caller links to that copy.
//! (The same design as `backprop_faer::kernels`.)

use std::borrow::Cow;

use backprop_backend::{
    LinalgBackend, Lu, RealScalar, Scalar, Transpose, Triangle, complete_orthonormal_basis,
};
use nalgebra::{
    Cholesky, ComplexField, DMatrix, DVector, LU, QR, RealField, SVD, Schur, SymmetricEigen,
};
use num_complex::Complex;

use crate::Nalgebra;

/// A scalar nalgebra multiplies here: `f32`, `f64`, `Complex<f32>`, `Complex<f64>`.
pub trait NalgebraScalar: Scalar + ComplexField {
    /// `C = alpha·op(A)·op(B) + beta·C` (shapes already checked); with `beta = 0`, `C` is not
    /// read.
    fn gemm(
        c: &mut DMatrix<Self>,
        alpha: Self,
        a: &DMatrix<Self>,
        ta: Transpose,
        b: &DMatrix<Self>,
        tb: Transpose,
        beta: Self,
    );
    /// `y = alpha·op(A)·x + beta·y` (shapes already checked); with `beta = 0`, `y` is not read.
    fn gemv(
        y: &mut DVector<Self>,
        alpha: Self,
        a: &DMatrix<Self>,
        ta: Transpose,
        x: &DVector<Self>,
        beta: Self,
    );
}

/// A real scalar nalgebra factorizes here: `f32` and `f64`. The methods are the raw hooks of
/// [`Factorize`](backprop_backend::Factorize) (documented there).
pub trait NalgebraReal: NalgebraScalar + RealScalar + RealField {
    /// LU with partial pivoting.
    fn lu(a: &DMatrix<Self>) -> Lu<DMatrix<Self>, Self>;
    /// Triangular solve.
    fn solve_triangular(
        a: &DMatrix<Self>,
        b: &DMatrix<Self>,
        tri: Triangle,
        trans: Transpose,
    ) -> DMatrix<Self>;
    /// Lower Cholesky factor, or `None` if not positive definite.
    fn cholesky(a: &DMatrix<Self>) -> Option<DMatrix<Self>>;
    /// Symmetric eigendecomposition.
    fn sym_eigen(a: &DMatrix<Self>) -> Option<(Vec<Self>, DMatrix<Self>)>;
    /// SVD, thin or full.
    fn svd(a: &DMatrix<Self>, full: bool) -> Option<(DMatrix<Self>, Vec<Self>, DMatrix<Self>)>;
    /// QR, thin or full.
    fn qr(a: &DMatrix<Self>, full: bool) -> (DMatrix<Self>, DMatrix<Self>);
    /// Eigenvalues and right eigenvectors (real and imaginary parts) of a general matrix.
    #[allow(clippy::type_complexity)]
    fn eigen_general(
        a: &DMatrix<Self>,
    ) -> Option<(Vec<Complex<Self>>, DMatrix<Self>, DMatrix<Self>)>;
}

// Each method is a non-generic function of this crate, so it (and the nalgebra code it calls)
// is compiled here; `inline(never)` keeps the compiler from copying it into callers.
macro_rules! nalgebra_scalar {
    ($($t:ty),*) => {$(
        impl NalgebraScalar for $t {
            #[inline(never)]
            fn gemm(
                c: &mut DMatrix<Self>,
                alpha: Self,
                a: &DMatrix<Self>,
                ta: Transpose,
                b: &DMatrix<Self>,
                tb: Transpose,
                beta: Self,
            ) {
                gemm(c, alpha, a, ta, b, tb, beta);
            }
            #[inline(never)]
            fn gemv(
                y: &mut DVector<Self>,
                alpha: Self,
                a: &DMatrix<Self>,
                ta: Transpose,
                x: &DVector<Self>,
                beta: Self,
            ) {
                gemv(y, alpha, a, ta, x, beta);
            }
        }
    )*};
}
nalgebra_scalar!(f32, f64, Complex<f32>, Complex<f64>);

macro_rules! nalgebra_real {
    ($($t:ty),*) => {$(
        impl NalgebraReal for $t {
            #[inline(never)]
            fn lu(a: &DMatrix<Self>) -> Lu<DMatrix<Self>, Self> {
                lu(a)
            }
            #[inline(never)]
            fn solve_triangular(
                a: &DMatrix<Self>,
                b: &DMatrix<Self>,
                tri: Triangle,
                trans: Transpose,
            ) -> DMatrix<Self> {
                solve_triangular(a, b, tri, trans)
            }
            #[inline(never)]
            fn cholesky(a: &DMatrix<Self>) -> Option<DMatrix<Self>> {
                cholesky(a)
            }
            #[inline(never)]
            fn sym_eigen(a: &DMatrix<Self>) -> Option<(Vec<Self>, DMatrix<Self>)> {
                sym_eigen(a)
            }
            #[inline(never)]
            fn svd(
                a: &DMatrix<Self>,
                full: bool,
            ) -> Option<(DMatrix<Self>, Vec<Self>, DMatrix<Self>)> {
                svd(a, full)
            }
            #[inline(never)]
            fn qr(a: &DMatrix<Self>, full: bool) -> (DMatrix<Self>, DMatrix<Self>) {
                qr(a, full)
            }
            #[inline(never)]
            fn eigen_general(
                a: &DMatrix<Self>,
            ) -> Option<(Vec<Complex<Self>>, DMatrix<Self>, DMatrix<Self>)> {
                eigen_general(a)
            }
        }
    )*};
}
nalgebra_real!(f32, f64);

/// `op(M)` for an operand of a product: borrowed when no transpose is needed, otherwise
/// materialised.
///
/// nalgebra's `gemm` has variants that transpose the *left* operand (`gemm_tr`, `gemm_ad`) but
/// none for the right one, and strided transposed views cannot be used instead: nalgebra 0.35's
/// generic BLAS kernel (`axcpy_uninit`) walks the whole underlying slice of a column view whose
/// row stride is not 1, reading out of bounds. So a transposed right operand is copied.
fn op_owned<T: Scalar + ComplexField>(m: &DMatrix<T>, t: Transpose) -> Cow<'_, DMatrix<T>> {
    match t {
        Transpose::No => Cow::Borrowed(m),
        Transpose::Yes => Cow::Owned(m.transpose()),
        Transpose::Adjoint => Cow::Owned(m.adjoint()),
    }
}

fn gemm<T: Scalar + ComplexField>(
    c: &mut DMatrix<T>,
    alpha: T,
    a: &DMatrix<T>,
    ta: Transpose,
    b: &DMatrix<T>,
    tb: Transpose,
    beta: T,
) {
    let b = op_owned(b, tb);
    if ta == Transpose::No || !T::IS_COMPLEX {
        // `gemm` runs nalgebra's GEMM kernel (matrixmultiply, for f32 and f64) and does not read
        // `c` when `beta` is zero. `gemm_tr` would be a loop of dot products, several times
        // slower than the kernel on a large product, so a transposed left operand of a real
        // product is copied too (one pass over it; the kernel's own packing is another).
        let a = op_owned(a, ta);
        c.gemm(alpha, &*a, &*b, beta);
        return;
    }
    if beta == T::zero() {
        // `gemm_ad` reads `c` even when `beta` is zero: BLAS semantics say the old contents
        // (NaN included) must not leak in.
        c.fill(T::zero());
    }
    match ta {
        Transpose::Yes => c.gemm_tr(alpha, a, &*b, beta),
        _ => c.gemm_ad(alpha, a, &*b, beta),
    }
}
fn gemv<T: Scalar + ComplexField>(
    y: &mut DVector<T>,
    alpha: T,
    a: &DMatrix<T>,
    ta: Transpose,
    x: &DVector<T>,
    beta: T,
) {
    if beta == T::zero() {
        y.fill(T::zero());
    }
    match ta {
        Transpose::No => y.gemv(alpha, a, x, beta),
        Transpose::Yes => y.gemv_tr(alpha, a, x, beta),
        Transpose::Adjoint => y.gemv_ad(alpha, a, x, beta),
    }
}

/// nalgebra's thin SVD as `(U, V)` (its singular values are recomputed by [`polish_svd`]).
fn thin_svd<T: RealScalar + RealField>(a: &DMatrix<T>) -> Option<(DMatrix<T>, DMatrix<T>)> {
    let (m, n) = a.shape();
    let svd = SVD::try_new(
        a.clone(),
        true,
        true,
        T::default_epsilon(),
        max_iterations(m, n),
    )?;
    Some((svd.u?, svd.v_t?.transpose()))
}

/// Refines nalgebra's SVD of a tall `A` (m ≥ n) by one-sided Jacobi (Hestenes) sweeps on
/// `W = A·V`, starting from nalgebra's `V`, until the columns of `W` are orthogonal to working
/// precision; then `σᵢ = ‖wᵢ‖` and `uᵢ = wᵢ/σᵢ`.
///
/// nalgebra 0.35's SVD can return orthonormal factors whose product misses `A` by about 1e-5
/// when two singular values are close (its issue #1172); the rotations here keep `V` orthogonal
/// and make `A = U·Σ·Vᵀ` hold to rounding. Starting from a nearly diagonalising `V`, one or two
/// sweeps suffice. Columns with a (numerically) zero singular value keep nalgebra's `uᵢ`.
fn polish_svd<T: RealScalar + RealField>(
    a: &DMatrix<T>,
    u0: DMatrix<T>,
    mut v: DMatrix<T>,
) -> (DMatrix<T>, Vec<T>, DMatrix<T>) {
    let k = v.ncols();
    let mut w = a * &v;
    let eps = T::default_epsilon();
    for _sweep in 0..30 {
        let mut rotated = false;
        for p in 0..k {
            for q in p + 1..k {
                let alpha = w.column(p).norm_squared();
                let beta = w.column(q).norm_squared();
                let gamma = w.column(p).dot(&w.column(q));
                if ComplexField::abs(gamma) <= eps * ComplexField::sqrt(alpha * beta)
                    || gamma == T::zero()
                {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (gamma + gamma);
                let sign = if zeta >= T::zero() {
                    T::one()
                } else {
                    -T::one()
                };
                let t =
                    sign / (ComplexField::abs(zeta) + ComplexField::sqrt(T::one() + zeta * zeta));
                let c = T::one() / ComplexField::sqrt(T::one() + t * t);
                let s = c * t;
                for m in [&mut w, &mut v] {
                    for i in 0..m.nrows() {
                        let (x, y) = (m[(i, p)], m[(i, q)]);
                        m[(i, p)] = c * x - s * y;
                        m[(i, q)] = s * x + c * y;
                    }
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let sigma: Vec<T> = (0..k).map(|j| w.column(j).norm()).collect();
    let largest = sigma
        .iter()
        .copied()
        .fold(T::zero(), |m, x| if x > m { x } else { m });
    let mut u = u0;
    for (j, &s) in sigma.iter().enumerate() {
        if s > largest * eps * <T as RealScalar>::from_usize(k.max(1)) {
            u.set_column(j, &(w.column(j) / s));
        }
    }
    (u, sigma, v)
}

/// Iteration cap for the iterative decompositions: far above what converging inputs need.
fn max_iterations(m: usize, n: usize) -> usize {
    10_000 + 100 * (m + n) * (m + n)
}

fn lu<T: NalgebraReal>(a: &DMatrix<T>) -> Lu<DMatrix<T>, T> {
    let n = a.nrows();
    let lu = LU::new(a.clone());
    let mut perm = DVector::<usize>::from_fn(n, |i, _| i);
    lu.p().permute_rows(&mut perm);
    Lu {
        l: lu.l(),
        u: lu.u(),
        perm: perm.iter().copied().collect(),
        perm_sign: lu.p().determinant::<T>(),
    }
}
fn solve_triangular<T: NalgebraReal>(
    a: &DMatrix<T>,
    b: &DMatrix<T>,
    tri: Triangle,
    trans: Transpose,
) -> DMatrix<T> {
    let x = match (tri, trans.is_transposed()) {
        (Triangle::Lower, false) => a.solve_lower_triangular(b),
        (Triangle::Lower, true) => a.tr_solve_lower_triangular(b),
        (Triangle::Upper, false) => a.solve_upper_triangular(b),
        (Triangle::Upper, true) => a.tr_solve_upper_triangular(b),
    };
    x.expect("the caller checked that the diagonal has no zero")
}
fn cholesky<T: NalgebraReal>(a: &DMatrix<T>) -> Option<DMatrix<T>> {
    Cholesky::new(a.clone()).map(Cholesky::unpack)
}
fn sym_eigen<T: NalgebraReal>(a: &DMatrix<T>) -> Option<(Vec<T>, DMatrix<T>)> {
    let n = a.nrows();
    let e = SymmetricEigen::try_new(a.clone(), T::default_epsilon(), max_iterations(n, n))?;
    Some((e.eigenvalues.iter().copied().collect(), e.eigenvectors))
}
/// nalgebra's SVD, polished by one-sided Jacobi (`polish_svd` here); thin, so for `full`,
/// `U` and `V` are completed to orthonormal bases with [`complete_orthonormal_basis`] (the
/// full QR of the thin factor).
fn svd<T: NalgebraReal>(a: &DMatrix<T>, full: bool) -> Option<(DMatrix<T>, Vec<T>, DMatrix<T>)> {
    let (m, n) = a.shape();
    // Polish the tall orientation, where A·V·Vᵀ = A holds for the square V.
    let (u, s, v) = if m >= n {
        let (u, v) = thin_svd(a)?;
        polish_svd(a, u, v)
    } else {
        let at = a.transpose();
        let (v, u) = thin_svd(&at)?;
        let (v, s, u) = polish_svd(&at, v, u);
        (u, s, v)
    };
    if full {
        Some((
            complete_orthonormal_basis::<T, Nalgebra<T>>(&u),
            s,
            complete_orthonormal_basis::<T, Nalgebra<T>>(&v),
        ))
    } else {
        Some((u, s, v))
    }
}
/// Eigenvalues from nalgebra's real Schur form (`Schur::complex_eigenvalues`), and each
/// eigenvector by inverse iteration in complex arithmetic (nalgebra computes no eigenvectors
/// of non-symmetric matrices): three solves with the LU of `A − (λ + δ)·I`, `δ = ε·‖A‖_F`
/// (`δ·10³` if that is exactly singular), whose near-singularity amplifies the eigenvector's
/// component by about `1/ε` per solve. The vector of `conj λ` is the conjugate of `λ`'s.
#[allow(clippy::type_complexity)]
fn eigen_general<T: NalgebraReal>(
    a: &DMatrix<T>,
) -> Option<(Vec<Complex<T>>, DMatrix<T>, DMatrix<T>)> {
    let n = a.nrows();
    let schur = Schur::try_new(a.clone(), T::default_epsilon(), max_iterations(n, n))?;
    let values: Vec<Complex<T>> = schur.complex_eigenvalues().iter().copied().collect();
    let complex = a.map(|x| Complex::new(x, T::zero()));
    let delta = T::default_epsilon() * RealField::max(a.norm(), T::min_positive_value());
    let (mut re, mut im) = (DMatrix::<T>::zeros(n, n), DMatrix::<T>::zeros(n, n));
    for (j, &lambda) in values.iter().enumerate() {
        let partner = (lambda.im != T::zero())
            .then(|| (0..j).find(|&k| values[k] == lambda.conj()))
            .flatten();
        if let Some(k) = partner {
            for i in 0..n {
                re[(i, j)] = re[(i, k)];
                im[(i, j)] = -im[(i, k)];
            }
            continue;
        }
        let x = [delta, delta * T::from_f64_real(1e3)]
            .into_iter()
            .find_map(|shift| {
                inverse_iteration(&complex, lambda + Complex::new(shift, T::zero()))
            })?;
        for i in 0..n {
            re[(i, j)] = x[i].re;
            im[(i, j)] = x[i].im;
        }
    }
    Some((values, re, im))
}

/// Three steps of inverse iteration with `A − μ·I` from a fixed start, normalised; `None` if
/// the shifted matrix is exactly singular or the iterate is not finite.
fn inverse_iteration<T: NalgebraReal>(
    a: &DMatrix<Complex<T>>,
    mu: Complex<T>,
) -> Option<DVector<Complex<T>>> {
    let n = a.nrows();
    let mut shifted = a.clone();
    for i in 0..n {
        shifted[(i, i)] -= mu;
    }
    let lu = shifted.lu();
    let mut x = DVector::from_fn(n, |i, _| {
        Complex::new(T::one(), T::from_f64_real(0.3 * (i + 1) as f64))
    });
    for _ in 0..3 {
        x = lu.solve(&x)?;
        let norm = x.normalize_mut();
        if !(norm.is_finite() && norm > T::zero()) {
            return None;
        }
    }
    Some(x)
}

/// Thin: nalgebra's `q()` and `r()`. Full: `Q` is `(Qᵀ·I)ᵀ` from `q_tr_mul`, which applies
/// every Householder reflection, and `R` is the thin `R` padded with zero rows.
fn qr<T: NalgebraReal>(a: &DMatrix<T>, full: bool) -> (DMatrix<T>, DMatrix<T>) {
    let (m, n) = a.shape();
    let qr = QR::new(a.clone());
    let r = qr.r();
    if !full || m <= n {
        return (qr.q(), r);
    }
    let mut qt = DMatrix::<T>::identity(m, m);
    qr.q_tr_mul(&mut qt);
    let k = r.nrows();
    let r_full = <Nalgebra<T> as LinalgBackend<T>>::mat_from_fn(m, n, |i, j| {
        if i < k { r[(i, j)] } else { T::zero() }
    });
    (qt.transpose(), r_full)
}
