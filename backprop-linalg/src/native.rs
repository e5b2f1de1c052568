//! Conversions between the vector and matrix types and each backend's own types, with `From`:
//! an owned `faer::Mat<f64>`, `nalgebra::DMatrix<f64>` or `ndarray::Array2<f64>` moves in and out
//! of a [`Matrix`](crate::Matrix) without a copy (so does a vector: `faer::Col<f64>`,
//! `DVector<f64>`, `Array1<f64>`), and a borrowed view (`faer::MatRef`, `DMatrixView`,
//! `ArrayView2`, and their vector forms) is copied in, once. Any `L<M, N>` or `R<N>` converts
//! out; statically sized types convert in with their shape-checked
//! [`L::try_from_data`](crate::L::try_from_data) / [`R::try_from_data`](crate::R::try_from_data).
//!
//! | backend | matrix in/out (no copy) | vector in/out (no copy) | views in (one copy) |
//! |---|---|---|---|
//! | faer | `faer::Mat<f64>` | `faer::Col<f64>` | `MatRef<'_, f64>`, `ColRef<'_, f64>` |
//! | nalgebra | `DMatrix<f64>` | `DVector<f64>` | `DMatrixView<'_, f64>`, `DVectorView<'_, f64>` |
//! | ndarray | `Array2<f64>` | `Array1<f64>` | `ArrayView2<'_, f64>`, `ArrayView1<'_, f64>` |
//!
//! The same holds in single precision (`faer::Mat<f32>` and `Matrix<Faer<f32>>`, ...).
//!
//! The libraries are re-exported in [`backends`](crate::backends) (`backends::faer`, ...), at
//! the versions `backprop-linalg` was built with.
//!
//! ```
//! # #[cfg(feature = "faer")] {
//! use backprop_linalg::backends::{Faer, faer};
//! use backprop_linalg::Matrix;
//!
//! let native = faer::Mat::<f64>::from_fn(2, 3, |i, j| (i * 3 + j) as f64);
//! let a: Matrix<Faer> = native.into();               // moved in, no copy
//! assert_eq!(a.shape(), (2, 3));
//! let back: faer::Mat<f64> = a.into();               // and out
//! assert_eq!(back[(1, 2)], 5.0);
//! let copied = Matrix::<Faer>::from(back.as_ref());  // from a view: one copy
//! assert_eq!(copied.get(1, 2), 5.0);
//! # }
//! ```

/// The `From` impls of one backend: `$mat`/`$vec` its owned storage, `$mat_view`/`$vec_view`
/// its borrowed views with the copy that owns them.
macro_rules! native {
    (
        $feature:literal, $backend:ty,
        $mat:ty, $vec:ty,
        $mat_view:ty => $mat_own:expr,
        $vec_view:ty => $vec_own:expr $(,)?
    ) => {
        #[cfg(feature = $feature)]
        native!(@precision f64; $backend, $mat, $vec, $mat_view => $mat_own, $vec_view => $vec_own);
        #[cfg(feature = $feature)]
        native!(@precision f32; $backend, $mat, $vec, $mat_view => $mat_own, $vec_view => $vec_own);
    };
    (
        @precision $p:ty; $backend:ty,
        $mat:ty, $vec:ty,
        $mat_view:ty => $mat_own:expr,
        $vec_view:ty => $vec_own:expr
    ) => {
        const _: () = {
            use crate::{Dim, Dyn, L, R};
            /// The precision of this block's impls.
            type P = $p;

            impl From<$mat> for L<Dyn, Dyn, $backend> {
                /// Moves the matrix in, without a copy.
                fn from(m: $mat) -> Self {
                    L::from_data(m)
                }
            }

            impl<M: Dim, N: Dim> From<L<M, N, $backend>> for $mat {
                /// Moves the storage out, without a copy.
                fn from(a: L<M, N, $backend>) -> Self {
                    a.into_data()
                }
            }

            impl From<$vec> for R<Dyn, $backend> {
                /// Moves the vector in, without a copy.
                fn from(v: $vec) -> Self {
                    R::from_data(v)
                }
            }

            impl<N: Dim> From<R<N, $backend>> for $vec {
                /// Moves the storage out, without a copy.
                fn from(v: R<N, $backend>) -> Self {
                    v.into_data()
                }
            }

            impl<'a> From<$mat_view> for L<Dyn, Dyn, $backend> {
                /// Copies the view's entries into owned storage.
                fn from(view: $mat_view) -> Self {
                    let own: fn($mat_view) -> $mat = $mat_own;
                    L::from_data(own(view))
                }
            }

            impl<'a> From<$vec_view> for R<Dyn, $backend> {
                /// Copies the view's entries into owned storage.
                fn from(view: $vec_view) -> Self {
                    let own: fn($vec_view) -> $vec = $vec_own;
                    R::from_data(own(view))
                }
            }
        };
    };
}

native!(
    "faer", backprop_faer::Faer<P>,
    backprop_faer::faer::Mat<P>, backprop_faer::faer::Col<P>,
    backprop_faer::faer::MatRef<'a, P> => |v| v.to_owned(),
    backprop_faer::faer::ColRef<'a, P> => |v| v.to_owned(),
);

native!(
    "nalgebra", backprop_nalgebra::Nalgebra<P>,
    backprop_nalgebra::nalgebra::DMatrix<P>, backprop_nalgebra::nalgebra::DVector<P>,
    backprop_nalgebra::nalgebra::DMatrixView<'a, P> => |v| v.clone_owned(),
    backprop_nalgebra::nalgebra::DVectorView<'a, P> => |v| v.clone_owned(),
);

native!(
    "ndarray", backprop_ndarray::Ndarray<P>,
    backprop_ndarray::ndarray::Array2<P>, backprop_ndarray::ndarray::Array1<P>,
    backprop_ndarray::ndarray::ArrayView2<'a, P> => |v| v.to_owned(),
    backprop_ndarray::ndarray::ArrayView1<'a, P> => |v| v.to_owned(),
);
