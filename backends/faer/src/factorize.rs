//! `Factorize` for [`Faer`]: faer's own LU, triangular solves, Cholesky (LLᵀ), self-adjoint
//! eigensolver, SVD and Householder QR.

use backprop_backend::{Factorize, Lu, RealScalar, Transpose, Triangle};
use faer::Mat;
use num_complex::Complex;

use crate::Faer;
use crate::kernels::FaerReal;

impl<P: RealScalar, T: FaerReal> Factorize<T> for Faer<P> {
    fn lu_raw(a: &Mat<T>) -> Lu<Mat<T>, T> {
        let (l, u, perm, perm_sign) = T::lu(a.as_ref());
        Lu {
            l,
            u,
            perm,
            perm_sign,
        }
    }
    fn solve_triangular_raw(a: &Mat<T>, b: &Mat<T>, tri: Triangle, trans: Transpose) -> Mat<T> {
        T::solve_triangular(a.as_ref(), b.as_ref(), tri, trans)
    }
    fn cholesky_raw(a: &Mat<T>) -> Option<Mat<T>> {
        T::cholesky(a.as_ref())
    }
    fn sym_eigen_raw(a: &Mat<T>) -> Option<(Vec<T>, Mat<T>)> {
        T::sym_eigen(a.as_ref())
    }
    fn svd_raw(a: &Mat<T>, full: bool) -> Option<(Mat<T>, Vec<T>, Mat<T>)> {
        T::svd(a.as_ref(), full)
    }
    fn qr_raw(a: &Mat<T>, full: bool) -> (Mat<T>, Mat<T>) {
        T::qr(a.as_ref(), full)
    }
    fn eigen_general_raw(a: &Mat<T>) -> Option<(Vec<Complex<T>>, Mat<T>, Mat<T>)> {
        T::eigen_general(a.as_ref())
    }
}
