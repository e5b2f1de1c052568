//! `Factorize` for [`Nalgebra`]: nalgebra's own LU, triangular solves, Cholesky,
//! `SymmetricEigen`, SVD and QR.
//!
//! nalgebra computes thin factors only; the full SVD's extra columns and the full QR's `Q` are
//! completed as documented on each hook.

use backprop_backend::{
    Factorize, LinalgBackend, Lu, RealScalar, Transpose, Triangle, complete_orthonormal_basis,
};
use nalgebra::{Cholesky, DMatrix, DVector, LU, QR, RealField, SVD, SymmetricEigen};

use crate::Nalgebra;

/// Iteration cap for the iterative decompositions: far above what converging inputs need.
fn max_iterations(m: usize, n: usize) -> usize {
    10_000 + 100 * (m + n) * (m + n)
}

impl<T: RealScalar + RealField> Factorize<T> for Nalgebra {
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
    /// nalgebra's SVD is thin; for `full`, `U` and `V` are completed to orthonormal bases with
    /// [`complete_orthonormal_basis`] (the full QR of the thin factor).
    fn svd_raw(a: &DMatrix<T>, full: bool) -> Option<(DMatrix<T>, Vec<T>, DMatrix<T>)> {
        let (m, n) = a.shape();
        let svd = SVD::try_new(
            a.clone(),
            true,
            true,
            T::default_epsilon(),
            max_iterations(m, n),
        )?;
        let u = svd.u?;
        let v = svd.v_t?.transpose();
        let s = svd.singular_values.iter().copied().collect();
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
