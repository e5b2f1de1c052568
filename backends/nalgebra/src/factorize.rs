//! `Factorize` for [`Nalgebra`]: nalgebra's own LU, triangular solves, Cholesky,
//! `SymmetricEigen`, SVD and QR.
//!
//! nalgebra computes thin factors only; the full SVD's extra columns and the full QR's `Q` are
//! completed as documented on each hook.

use backprop_backend::{
    Factorize, LinalgBackend, Lu, RealScalar, Transpose, Triangle, complete_orthonormal_basis,
};
use nalgebra::{Cholesky, ComplexField, DMatrix, DVector, LU, QR, RealField, SVD, SymmetricEigen};

use crate::Nalgebra;

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

impl<P: RealScalar, T: RealScalar + RealField> Factorize<T> for Nalgebra<P> {
    fn lu_raw(a: &DMatrix<T>) -> Lu<DMatrix<T>, T> {
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
    fn solve_triangular_raw(
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
    fn cholesky_raw(a: &DMatrix<T>) -> Option<DMatrix<T>> {
        Cholesky::new(a.clone()).map(Cholesky::unpack)
    }
    fn sym_eigen_raw(a: &DMatrix<T>) -> Option<(Vec<T>, DMatrix<T>)> {
        let n = a.nrows();
        let e = SymmetricEigen::try_new(a.clone(), T::default_epsilon(), max_iterations(n, n))?;
        Some((e.eigenvalues.iter().copied().collect(), e.eigenvectors))
    }
    /// nalgebra's SVD, polished by one-sided Jacobi (`polish_svd` here); thin, so for `full`,
    /// `U` and `V` are completed to orthonormal bases with [`complete_orthonormal_basis`] (the
    /// full QR of the thin factor).
    fn svd_raw(a: &DMatrix<T>, full: bool) -> Option<(DMatrix<T>, Vec<T>, DMatrix<T>)> {
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
                complete_orthonormal_basis::<T, Self>(&u),
                s,
                complete_orthonormal_basis::<T, Self>(&v),
            ))
        } else {
            Some((u, s, v))
        }
    }
    /// Thin: nalgebra's `q()` and `r()`. Full: `Q` is `(Qᵀ·I)ᵀ` from `q_tr_mul`, which applies
    /// every Householder reflection, and `R` is the thin `R` padded with zero rows.
    fn qr_raw(a: &DMatrix<T>, full: bool) -> (DMatrix<T>, DMatrix<T>) {
        let (m, n) = a.shape();
        let qr = QR::new(a.clone());
        let r = qr.r();
        if !full || m <= n {
            return (qr.q(), r);
        }
        let mut qt = DMatrix::<T>::identity(m, m);
        qr.q_tr_mul(&mut qt);
        let k = r.nrows();
        let r_full = <Self as LinalgBackend<T>>::mat_from_fn(m, n, |i, j| {
            if i < k { r[(i, j)] } else { T::zero() }
        });
        (qt.transpose(), r_full)
    }
}
