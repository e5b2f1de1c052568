//! `Factorize` for [`Nalgebra`]: nalgebra's own LU, triangular solves, Cholesky,
//! `SymmetricEigen`, SVD and QR, run by [`NalgebraReal`] (in [`crate::kernels`], where the
//! completion of nalgebra's thin factors to full ones is documented).

use backprop_backend::{Factorize, Lu, RealScalar, Transpose, Triangle};
use nalgebra::DMatrix;
use num_complex::Complex;

use crate::Nalgebra;
use crate::kernels::NalgebraReal;

impl<P: RealScalar, T: NalgebraReal> Factorize<T> for Nalgebra<P> {
    fn lu_raw(a: &DMatrix<T>) -> Lu<DMatrix<T>, T> {
        T::lu(a)
    }
    fn solve_triangular_raw(
        a: &DMatrix<T>,
        b: &DMatrix<T>,
        tri: Triangle,
        trans: Transpose,
    ) -> DMatrix<T> {
        T::solve_triangular(a, b, tri, trans)
    }
    fn cholesky_raw(a: &DMatrix<T>) -> Option<DMatrix<T>> {
        T::cholesky(a)
    }
    fn sym_eigen_raw(a: &DMatrix<T>) -> Option<(Vec<T>, DMatrix<T>)> {
        T::sym_eigen(a)
    }
    fn svd_raw(a: &DMatrix<T>, full: bool) -> Option<(DMatrix<T>, Vec<T>, DMatrix<T>)> {
        T::svd(a, full)
    }
    fn qr_raw(a: &DMatrix<T>, full: bool) -> (DMatrix<T>, DMatrix<T>) {
        T::qr(a, full)
    }
    fn eigen_general_raw(a: &DMatrix<T>) -> Option<(Vec<Complex<T>>, DMatrix<T>, DMatrix<T>)> {
        T::eigen_general(a)
    }
}
