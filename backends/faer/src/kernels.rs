//! faer routines on borrowed views, shared by this backend and by `backprop-ndarray`: the
//! product ([`FaerScalar::gemm`]) and the decompositions ([`FaerReal`]).
//!
//! Each routine takes [`MatRef`]/[`MatMut`] views, so a caller whose storage is not a
//! [`faer::Mat`] (an ndarray array, say) can use it without copying its input. They assume the
//! validation that [`backprop_backend::Factorize`]'s provided methods perform (finite, square
//! where needed, non-empty) and return factors before the shared sign/order conventions.
//!
//! # Why the routines are trait methods of the scalar
//! faer's algorithms are generic over the scalar, and a generic function is compiled in the
//! crate that names its type arguments. Called from generic code (the backends are generic over
//! their precision), faer's SVD, QR, ... would be compiled again in every crate that uses a
//! backend, at that crate's optimisation level: unoptimised in a debug build or a test binary,
//! where they ran about 6× slower than optimised (the gradient suite's QR and SVD cases spent
//! 80% of their time in unoptimised faer code). Implementing [`FaerScalar`] and [`FaerReal`]
//! for the four scalars *here* compiles each routine once, in this crate, with the
//! optimisation the workspace gives its backends (`[profile.dev.package.backprop-faer]`), and
//! every caller links to that copy.

use backprop_backend::{RealScalar, Scalar, Transpose, Triangle};
use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::{cholesky, evd, householder, lu, matmul, qr, svd, triangular_solve};
use faer::traits::{ComplexField, RealField};
use faer::{Accum, Conj, Mat, MatMut, MatRef};
use num_complex::Complex;

use crate::parallelism::par;

/// A scalar faer multiplies here: `f32`, `f64`, `Complex<f32>`, `Complex<f64>`.
pub trait FaerScalar: Scalar + ComplexField {
    /// `C = alpha·op(A)·op(B) + beta·C` (shapes already checked). With `beta = 0`, `C` is not
    /// read.
    fn gemm(
        c: MatMut<'_, Self>,
        alpha: Self,
        a: MatRef<'_, Self>,
        ta: Transpose,
        b: MatRef<'_, Self>,
        tb: Transpose,
        beta: Self,
    );
}

/// A real scalar faer factorizes here: `f32` and `f64`.
pub trait FaerReal: FaerScalar + RealScalar + RealField {
    /// `P·A = L·U` with partial pivoting: `(L, U, perm, det(P))`, `perm[i]` the row of `A`
    /// that is row `i` of `P·A`.
    fn lu(a: MatRef<'_, Self>) -> (Mat<Self>, Mat<Self>, Vec<usize>, Self);
    /// Solves `op(A)·X = B` for triangular `A`, reading only the `tri` triangle (`trans` is
    /// `No` or `Yes`).
    fn solve_triangular(
        a: MatRef<'_, Self>,
        b: MatRef<'_, Self>,
        tri: Triangle,
        trans: Transpose,
    ) -> Mat<Self>;
    /// Lower Cholesky factor (reading the lower triangle of `A`), or `None` if `A` is not
    /// positive definite.
    fn cholesky(a: MatRef<'_, Self>) -> Option<Mat<Self>>;
    /// Eigenvalues (ascending, faer's order) and eigenvectors of a symmetric matrix, or `None`
    /// if the iteration failed.
    fn sym_eigen(a: MatRef<'_, Self>) -> Option<(Vec<Self>, Mat<Self>)>;
    /// SVD `A = U·diag(s)·Vᵀ`, thin or full, or `None` if the iteration failed.
    fn svd(a: MatRef<'_, Self>, full: bool) -> Option<(Mat<Self>, Vec<Self>, Mat<Self>)>;
    /// Householder QR `A = Q·R`: thin (`Q m×k`, `R k×n`) or full (`Q m×m`, `R m×n`).
    fn qr(a: MatRef<'_, Self>, full: bool) -> (Mat<Self>, Mat<Self>);
    /// Eigenvalues and right eigenvectors (real and imaginary parts) of a general square
    /// matrix, or `None` if the iteration failed.
    #[allow(clippy::type_complexity)]
    fn eigen_general(a: MatRef<'_, Self>) -> Option<(Vec<Complex<Self>>, Mat<Self>, Mat<Self>)>;
}

// Each method is a non-generic function of this crate, so it (and the faer code it calls) is
// compiled here; `inline(never)` keeps the compiler from copying it into callers.
macro_rules! faer_scalar {
    ($($t:ty),*) => {$(
        impl FaerScalar for $t {
            #[inline(never)]
            fn gemm(
                c: MatMut<'_, Self>,
                alpha: Self,
                a: MatRef<'_, Self>,
                ta: Transpose,
                b: MatRef<'_, Self>,
                tb: Transpose,
                beta: Self,
            ) {
                gemm(c, alpha, a, ta, b, tb, beta);
            }
        }
    )*};
}
faer_scalar!(f32, f64, Complex<f32>, Complex<f64>);

macro_rules! faer_real {
    ($($t:ty),*) => {$(
        impl FaerReal for $t {
            #[inline(never)]
            fn lu(a: MatRef<'_, Self>) -> (Mat<Self>, Mat<Self>, Vec<usize>, Self) {
                lu(a)
            }
            #[inline(never)]
            fn solve_triangular(
                a: MatRef<'_, Self>,
                b: MatRef<'_, Self>,
                tri: Triangle,
                trans: Transpose,
            ) -> Mat<Self> {
                solve_triangular(a, b, tri, trans)
            }
            #[inline(never)]
            fn cholesky(a: MatRef<'_, Self>) -> Option<Mat<Self>> {
                cholesky(a)
            }
            #[inline(never)]
            fn sym_eigen(a: MatRef<'_, Self>) -> Option<(Vec<Self>, Mat<Self>)> {
                sym_eigen(a)
            }
            #[inline(never)]
            fn svd(a: MatRef<'_, Self>, full: bool) -> Option<(Mat<Self>, Vec<Self>, Mat<Self>)> {
                svd(a, full)
            }
            #[inline(never)]
            fn qr(a: MatRef<'_, Self>, full: bool) -> (Mat<Self>, Mat<Self>) {
                qr(a, full)
            }
            #[inline(never)]
            fn eigen_general(
                a: MatRef<'_, Self>,
            ) -> Option<(Vec<Complex<Self>>, Mat<Self>, Mat<Self>)> {
                eigen_general(a)
            }
        }
    )*};
}
faer_real!(f32, f64);

/// Runs `f` with a scratch stack of the requested size.
fn with_stack<R>(req: StackReq, f: impl FnOnce(&mut MemStack) -> R) -> R {
    let mut buf = MemBuffer::new(req);
    f(MemStack::new(&mut buf))
}

/// `op(A)` as a view plus the conjugation flag faer applies on the fly.
fn op_view<T: ComplexField>(a: MatRef<'_, T>, t: Transpose) -> (MatRef<'_, T>, Conj) {
    match t {
        Transpose::No => (a, Conj::No),
        Transpose::Yes => (a.transpose(), Conj::No),
        Transpose::Adjoint => (a.transpose(), Conj::Yes),
    }
}

/// `C = alpha·op(A)·op(B) + beta·C` (shapes already checked). With `beta = 0`, `C` is not read.
fn gemm<T: Scalar + ComplexField>(
    mut c: MatMut<'_, T>,
    alpha: T,
    a: MatRef<'_, T>,
    ta: Transpose,
    b: MatRef<'_, T>,
    tb: Transpose,
    beta: T,
) {
    let (a, ca) = op_view(a, ta);
    let (b, cb) = op_view(b, tb);
    let accum = if beta == T::zero() {
        Accum::Replace
    } else {
        if beta != T::one() {
            for j in 0..c.ncols() {
                for i in 0..c.nrows() {
                    let x = c[(i, j)];
                    c[(i, j)] = beta * x;
                }
            }
        }
        Accum::Add
    };
    matmul::matmul_with_conj(c, accum, a, ca, b, cb, alpha, par());
    clear_upper_simd_state();
}

/// Clears the upper halves of the vector registers after a faer kernel.
///
/// faer 0.24's f64 GEMM kernels use AVX-512 and return without `vzeroupper`; on this project's
/// machines (AMD Zen 5) the SSE-encoded scalar code that follows (element-wise maps, libm's
/// `exp`, the tape's bookkeeping) then ran about 3.6× slower. Clearing the state after each
/// product removes the penalty; it costs a few cycles. Public for code that calls faer's
/// products directly next to this crate's (the benchmark's hand-written passes do, so that both
/// sides of a comparison run in the same register state).
#[inline]
pub fn clear_upper_simd_state() {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx")]
        fn zeroupper() {
            std::arch::x86_64::_mm256_zeroupper();
        }
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: `zeroupper` needs only the AVX feature, and the line above checked at run
            // time that this CPU has it. `vzeroupper` changes no register a Rust caller can
            // observe (it zeroes bits 128 and above of the vector registers, which hold no live
            // value across this call boundary under the System V ABI). Every GEMM in the test
            // suites runs through here.
            #[allow(unsafe_code)]
            unsafe {
                zeroupper();
            }
        }
    }
}

/// `P·A = L·U` with partial pivoting: `(L, U, perm, det(P))`, `perm[i]` the row of `A` that is
/// row `i` of `P·A`.
fn lu<T: RealScalar + RealField>(a: MatRef<'_, T>) -> (Mat<T>, Mat<T>, Vec<usize>, T) {
    let n = a.nrows();
    let mut f = a.to_owned();
    let mut fwd = vec![0usize; n];
    let mut bwd = vec![0usize; n];
    let p = par();
    let req =
        lu::partial_pivoting::factor::lu_in_place_scratch::<usize, T>(n, n, p, Default::default());
    let count = with_stack(req, |stack| {
        let (info, _) = lu::partial_pivoting::factor::lu_in_place(
            f.as_mut(),
            &mut fwd,
            &mut bwd,
            p,
            stack,
            Default::default(),
        );
        info.transposition_count
    });
    let l = Mat::from_fn(n, n, |i, j| match i.cmp(&j) {
        core::cmp::Ordering::Greater => f[(i, j)],
        core::cmp::Ordering::Equal => T::one(),
        core::cmp::Ordering::Less => T::zero(),
    });
    let u = Mat::from_fn(n, n, |i, j| if i <= j { f[(i, j)] } else { T::zero() });
    let sign = if count % 2 == 0 { T::one() } else { -T::one() };
    (l, u, fwd, sign)
}

/// Solves `op(A)·X = B` for triangular `A`, reading only the `tri` triangle (`trans` is `No` or
/// `Yes`).
fn solve_triangular<T: RealScalar + RealField>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    tri: Triangle,
    trans: Transpose,
) -> Mat<T> {
    let mut x = b.to_owned();
    let p = par();
    // Transposing a lower-triangular matrix gives an upper-triangular one, and vice versa.
    let (view, lower) = match (tri, trans.is_transposed()) {
        (Triangle::Lower, false) => (a, true),
        (Triangle::Lower, true) => (a.transpose(), false),
        (Triangle::Upper, false) => (a, false),
        (Triangle::Upper, true) => (a.transpose(), true),
    };
    if lower {
        triangular_solve::solve_lower_triangular_in_place(view, x.as_mut(), p);
    } else {
        triangular_solve::solve_upper_triangular_in_place(view, x.as_mut(), p);
    }
    x
}

/// Lower Cholesky factor (reading the lower triangle of `A`), or `None` if `A` is not positive
/// definite.
fn cholesky<T: RealScalar + RealField>(a: MatRef<'_, T>) -> Option<Mat<T>> {
    let n = a.nrows();
    let mut l = a.to_owned();
    let p = par();
    let req = cholesky::llt::factor::cholesky_in_place_scratch::<T>(n, p, Default::default());
    let ok = with_stack(req, |stack| {
        cholesky::llt::factor::cholesky_in_place(
            l.as_mut(),
            Default::default(),
            p,
            stack,
            Default::default(),
        )
        .is_ok()
    });
    ok.then(|| Mat::from_fn(n, n, |i, j| if i >= j { l[(i, j)] } else { T::zero() }))
}

/// Eigenvalues (ascending, faer's order) and eigenvectors of a symmetric matrix, or `None` if
/// the iteration failed.
fn sym_eigen<T: RealScalar + RealField>(a: MatRef<'_, T>) -> Option<(Vec<T>, Mat<T>)> {
    let n = a.nrows();
    let mut u = Mat::<T>::zeros(n, n);
    let mut s = Diag::<T>::zeros(n);
    let p = par();
    let req =
        evd::self_adjoint_evd_scratch::<T>(n, evd::ComputeEigenvectors::Yes, p, Default::default());
    let ok = with_stack(req, |stack| {
        evd::self_adjoint_evd(
            a,
            s.as_mut(),
            Some(u.as_mut()),
            p,
            stack,
            Default::default(),
        )
        .is_ok()
    });
    ok.then(|| ((0..n).map(|i| s.column_vector()[i]).collect(), u))
}

/// Eigenvalues and right eigenvectors of a general real matrix by faer's real Schur-based
/// solver, which stores a complex pair `a ± ib` as two columns `x`, `y` with eigenvectors
/// `x ± iy`; returned as real and imaginary parts.
#[allow(clippy::type_complexity)]
fn eigen_general<T: RealScalar + RealField>(
    a: MatRef<'_, T>,
) -> Option<(Vec<Complex<T>>, Mat<T>, Mat<T>)> {
    let n = a.nrows();
    let mut u = Mat::<T>::zeros(n, n);
    let mut s_re = Diag::<T>::zeros(n);
    let mut s_im = Diag::<T>::zeros(n);
    let p = par();
    let req = evd::evd_scratch::<T>(
        n,
        evd::ComputeEigenvectors::No,
        evd::ComputeEigenvectors::Yes,
        p,
        Default::default(),
    );
    let ok = with_stack(req, |stack| {
        evd::evd_real(
            a,
            s_re.as_mut(),
            s_im.as_mut(),
            None,
            Some(u.as_mut()),
            p,
            stack,
            Default::default(),
        )
        .is_ok()
    });
    if !ok {
        return None;
    }
    let (re, im) = (s_re.column_vector(), s_im.column_vector());
    let values: Vec<Complex<T>> = (0..n).map(|j| Complex::new(re[j], im[j])).collect();
    let mut v_re = u.clone();
    let mut v_im = Mat::<T>::zeros(n, n);
    let mut j = 0;
    while j < n {
        if im[j] == T::zero() || j + 1 == n {
            j += 1;
            continue;
        }
        for i in 0..n {
            let (x, y) = (u[(i, j)], u[(i, j + 1)]);
            v_re[(i, j)] = x;
            v_im[(i, j)] = y;
            v_re[(i, j + 1)] = x;
            v_im[(i, j + 1)] = -y;
        }
        j += 2;
    }
    Some((values, v_re, v_im))
}

/// SVD `A = U·diag(s)·Vᵀ`, thin or full, or `None` if the iteration failed.
fn svd<T: RealScalar + RealField>(
    a: MatRef<'_, T>,
    full: bool,
) -> Option<(Mat<T>, Vec<T>, Mat<T>)> {
    let (m, n) = a.shape();
    let k = m.min(n);
    let (uc, vc, compute) = if full {
        (m, n, svd::ComputeSvdVectors::Full)
    } else {
        (k, k, svd::ComputeSvdVectors::Thin)
    };
    let mut u = Mat::<T>::zeros(m, uc);
    let mut v = Mat::<T>::zeros(n, vc);
    let mut s = Diag::<T>::zeros(k);
    let p = par();
    let req = svd::svd_scratch::<T>(m, n, compute, compute, p, Default::default());
    let ok = with_stack(req, |stack| {
        svd::svd(
            a,
            s.as_mut(),
            Some(u.as_mut()),
            Some(v.as_mut()),
            p,
            stack,
            Default::default(),
        )
        .is_ok()
    });
    ok.then(|| (u, (0..k).map(|i| s.column_vector()[i]).collect(), v))
}

/// Householder QR `A = Q·R`: thin (`Q m×k`, `R k×n`) or full (`Q m×m`, `R m×n`).
fn qr<T: RealScalar + RealField>(a: MatRef<'_, T>, full: bool) -> (Mat<T>, Mat<T>) {
    let (m, n) = a.shape();
    let k = m.min(n);
    let mut f = a.to_owned();
    let p = par();
    let bs = qr::no_pivoting::factor::recommended_block_size::<T>(m, n);
    let mut coeff = Mat::<T>::zeros(bs, k);
    let req = qr::no_pivoting::factor::qr_in_place_scratch::<T>(m, n, bs, p, Default::default());
    with_stack(req, |stack| {
        qr::no_pivoting::factor::qr_in_place(
            f.as_mut(),
            coeff.as_mut(),
            p,
            stack,
            Default::default(),
        );
    });
    // The Householder vectors: unit lower-trapezoidal m×k, below the diagonal of the factored A.
    let basis = Mat::from_fn(m, k, |i, j| match i.cmp(&j) {
        core::cmp::Ordering::Greater => f[(i, j)],
        core::cmp::Ordering::Equal => T::one(),
        core::cmp::Ordering::Less => T::zero(),
    });
    let qc = if full { m } else { k };
    let mut q = Mat::<T>::from_fn(m, qc, |i, j| if i == j { T::one() } else { T::zero() });
    let req =
        householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<T>(m, bs, qc);
    with_stack(req, |stack| {
        householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
            basis.as_ref(),
            coeff.as_ref(),
            Conj::No,
            q.as_mut(),
            p,
            stack,
        );
    });
    let r = Mat::from_fn(qc, n, |i, j| {
        if i <= j && i < k {
            f[(i, j)]
        } else {
            T::zero()
        }
    });
    (q, r)
}
