//! What every real vector and matrix type shares (public so generic code can name it), written once: element-wise arithmetic,
//! [`Backprop`](backprop_core::Backprop), [`Floating`](backprop_core::Floating),
//! [`Coords`](backprop_core::Coords), equality and debug printing.
//!
//! A type says how it stores its entries by implementing [`Dense`] (its storage kind is a
//! backend vector or matrix: [`VecKind`] or [`MatKind`]); the `impl_dense!` macro then derives
//! the shared trait impls from it.

use std::fmt::Debug;

use crate::backend::{Backend, RealMatrix, RealVector};

/// One storage shape of a backend (vector or matrix), with the operations the shared impls use.
pub trait StorageKind<B: Backend> {
    /// The backend's storage.
    type Data: Clone + Debug + Send + Sync + 'static;
    /// Number of entries.
    fn len(d: &Self::Data) -> usize;
    /// Shape as `(rows, cols)` (`(n, 1)` for a vector).
    fn shape(d: &Self::Data) -> (usize, usize);
    /// Entry `k` in row-major order.
    fn get(d: &Self::Data, k: usize) -> f64;
    /// Same shape as `like`, entry `k` (row-major) from `f(k)`.
    fn from_fn_like(like: &Self::Data, f: impl FnMut(usize) -> f64) -> Self::Data;
    /// `f` on every entry.
    fn map(d: &Self::Data, f: impl FnMut(f64) -> f64) -> Self::Data;
    /// `f` on corresponding entries; `None` if the shapes differ.
    fn zip_map(
        a: &Self::Data,
        b: &Self::Data,
        f: impl FnMut(f64, f64) -> f64,
    ) -> Option<Self::Data>;
    /// `y += alpha·x`, in place; `false` if the shapes differ.
    fn axpy(y: &mut Self::Data, alpha: f64, x: &Self::Data) -> bool;
}

/// Vector storage.
pub struct VecKind;
/// Matrix storage.
pub struct MatKind;

impl<B: Backend> StorageKind<B> for VecKind {
    type Data = RealVector<B>;
    fn len(d: &Self::Data) -> usize {
        B::vec_len(d)
    }
    fn shape(d: &Self::Data) -> (usize, usize) {
        (B::vec_len(d), 1)
    }
    fn get(d: &Self::Data, k: usize) -> f64 {
        B::vec_get(d, k)
    }
    fn from_fn_like(like: &Self::Data, f: impl FnMut(usize) -> f64) -> Self::Data {
        B::vec_from_fn(B::vec_len(like), f)
    }
    fn map(d: &Self::Data, f: impl FnMut(f64) -> f64) -> Self::Data {
        B::vec_map(d, f)
    }
    fn zip_map(
        a: &Self::Data,
        b: &Self::Data,
        f: impl FnMut(f64, f64) -> f64,
    ) -> Option<Self::Data> {
        B::vec_zip_map(a, b, f).ok()
    }
    fn axpy(y: &mut Self::Data, alpha: f64, x: &Self::Data) -> bool {
        B::vec_axpy(y, alpha, x).is_ok()
    }
}

impl<B: Backend> StorageKind<B> for MatKind {
    type Data = RealMatrix<B>;
    fn len(d: &Self::Data) -> usize {
        let (r, c) = B::mat_shape(d);
        r * c
    }
    fn shape(d: &Self::Data) -> (usize, usize) {
        B::mat_shape(d)
    }
    fn get(d: &Self::Data, k: usize) -> f64 {
        let cols = B::mat_shape(d).1;
        B::mat_get(d, k / cols, k % cols)
    }
    fn from_fn_like(like: &Self::Data, mut f: impl FnMut(usize) -> f64) -> Self::Data {
        let (rows, cols) = B::mat_shape(like);
        B::mat_from_fn(rows, cols, |i, j| f(i * cols + j))
    }
    fn map(d: &Self::Data, f: impl FnMut(f64) -> f64) -> Self::Data {
        B::mat_map(d, f)
    }
    fn zip_map(
        a: &Self::Data,
        b: &Self::Data,
        f: impl FnMut(f64, f64) -> f64,
    ) -> Option<Self::Data> {
        B::mat_zip_map(a, b, f).ok()
    }
    fn axpy(y: &mut Self::Data, alpha: f64, x: &Self::Data) -> bool {
        B::mat_axpy(y, alpha, x).is_ok()
    }
}

/// A value stored as one backend vector or matrix of `f64`.
pub trait Dense<B: Backend>: Sized {
    /// Its storage kind.
    type Kind: StorageKind<B>;
    /// The storage.
    fn data(&self) -> &<Self::Kind as StorageKind<B>>::Data;
    /// The storage, mutably. Implementations keep their invariants (size; symmetry for `Sym`)
    /// only through the shared impls, which preserve them.
    fn data_mut(&mut self) -> &mut <Self::Kind as StorageKind<B>>::Data;
    /// Wraps storage of the right shape.
    fn wrap(data: <Self::Kind as StorageKind<B>>::Data) -> Self;
    /// Restores the type's invariant after an arbitrary change of entries (symmetrises a
    /// `Sym`); the identity for the other types.
    fn normalize(self) -> Self {
        self
    }
}

/// `f` on corresponding entries.
///
/// # Panics
/// If the shapes differ (only possible for the dynamically sized types).
#[track_caller]
pub(crate) fn zip_map<B: Backend, T: Dense<B>>(a: &T, b: &T, f: impl FnMut(f64, f64) -> f64) -> T {
    match T::Kind::zip_map(a.data(), b.data(), f) {
        Some(d) => T::wrap(d),
        None => shape_panic::<B, T>(a, b),
    }
}

#[track_caller]
fn shape_panic<B: Backend, T: Dense<B>>(a: &T, b: &T) -> ! {
    let (ra, ca) = T::Kind::shape(a.data());
    let (rb, cb) = T::Kind::shape(b.data());
    panic!("element-wise operation: shape mismatch: {ra}×{ca} and {rb}×{cb}")
}

/// `f` on corresponding entries of three values.
#[track_caller]
pub(crate) fn zip_map3<B: Backend, T: Dense<B>>(
    a: &T,
    b: &T,
    c: &T,
    mut f: impl FnMut(f64, f64, f64) -> f64,
) -> T {
    let (da, db, dc) = (a.data(), b.data(), c.data());
    let shape = T::Kind::shape(da);
    if T::Kind::shape(db) != shape {
        shape_panic::<B, T>(a, b);
    }
    if T::Kind::shape(dc) != shape {
        shape_panic::<B, T>(a, c);
    }
    T::wrap(T::Kind::from_fn_like(da, |k| {
        f(
            T::Kind::get(da, k),
            T::Kind::get(db, k),
            T::Kind::get(dc, k),
        )
    }))
}

/// `a += b` in place.
#[track_caller]
pub(crate) fn add_assign<B: Backend, T: Dense<B>>(a: &mut T, b: &T) {
    axpy::<B, T>(a, 1.0, b);
}

/// `y += alpha·x` in place.
#[track_caller]
pub(crate) fn axpy<B: Backend, T: Dense<B>>(y: &mut T, alpha: f64, x: &T) {
    if !T::Kind::axpy(y.data_mut(), alpha, x.data()) {
        shape_panic::<B, T>(y, x);
    }
}

/// All entries, row-major.
pub(crate) fn entries<B: Backend, T: Dense<B>>(a: &T) -> Vec<f64> {
    let d = a.data();
    (0..T::Kind::len(d)).map(|k| T::Kind::get(d, k)).collect()
}

/// A value shaped like `like` with entries (row-major) from `coords`.
pub(crate) fn read_entries<B: Backend, T: Dense<B>>(like: &T, coords: &mut &[f64]) -> T {
    let n = T::Kind::len(like.data());
    assert!(coords.len() >= n, "read_coords: ran out of coordinates");
    let (head, rest) = coords.split_at(n);
    *coords = rest;
    T::wrap(T::Kind::from_fn_like(like.data(), |k| head[k])).normalize()
}

/// The same shape filled with `x`.
pub(crate) fn filled<B: Backend, T: Dense<B>>(like: &T, x: f64) -> T {
    T::wrap(T::Kind::from_fn_like(like.data(), |_| x))
}

/// `f` on every entry.
pub(crate) fn map<B: Backend, T: Dense<B>>(a: &T, f: impl FnMut(f64) -> f64) -> T {
    T::wrap(T::Kind::map(a.data(), f))
}

/// Shape of the storage, for messages.
pub(crate) fn shape<B: Backend, T: Dense<B>>(a: &T) -> (usize, usize) {
    T::Kind::shape(a.data())
}

/// Implements the shared traits for a [`Dense`] type: `Clone`, `Debug`, `PartialEq`,
/// `Backprop`, `Floating`, `Coords`, and element-wise `+ - * /` and unary `-` on references and
/// values.
macro_rules! impl_dense {
    ([$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> Clone for $ty {
            fn clone(&self) -> Self {
                <$ty as $crate::dense::Dense<B>>::wrap(
                    $crate::dense::Dense::<B>::data(self).clone(),
                )
            }
        }

        impl<$($gen)*> ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let (rows, cols) = $crate::dense::shape::<B, Self>(self);
                let e = $crate::dense::entries::<B, Self>(self);
                write!(f, "{}{}×{} {:?}", stringify!($ty).split('<').next().unwrap_or(""), rows, cols, e)
            }
        }

        impl<$($gen)*> PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                $crate::dense::shape::<B, Self>(self) == $crate::dense::shape::<B, Self>(other)
                    && $crate::dense::entries::<B, Self>(self)
                        == $crate::dense::entries::<B, Self>(other)
            }
        }

        impl<$($gen)*> ::backprop_core::Backprop for $ty {
            fn zero(&self) -> Self {
                $crate::dense::filled::<B, Self>(self, 0.0)
            }
            fn one(&self) -> Self {
                $crate::dense::filled::<B, Self>(self, 1.0)
            }
            #[track_caller]
            fn add(mut self, rhs: Self) -> Self {
                $crate::dense::add_assign::<B, Self>(&mut self, &rhs);
                self
            }
            #[track_caller]
            fn add_assign(&mut self, rhs: Self) {
                $crate::dense::add_assign::<B, Self>(self, &rhs);
            }
        }

        impl<$($gen)*> ::backprop_core::Floating for $ty {
            type Real = f64;
            fn map(&self, f: impl Fn(f64) -> f64) -> Self {
                $crate::dense::map::<B, Self>(self, f)
            }
            #[track_caller]
            fn zip_map(&self, other: &Self, f: impl Fn(f64, f64) -> f64) -> Self {
                $crate::dense::zip_map::<B, Self>(self, other, f)
            }
            #[track_caller]
            fn zip_map3(&self, b: &Self, c: &Self, f: impl Fn(f64, f64, f64) -> f64) -> Self {
                $crate::dense::zip_map3::<B, Self>(self, b, c, f)
            }
        }

        impl<$($gen)*> ::backprop_core::Coords for $ty {
            fn write_coords(&self, out: &mut Vec<f64>) {
                out.extend($crate::dense::entries::<B, Self>(self));
            }
            fn read_coords(&self, coords: &mut &[f64]) -> Self {
                $crate::dense::read_entries::<B, Self>(self, coords)
            }
        }

        $crate::dense::impl_dense!(@binop [$($gen)*] $ty; Add add |a, b| a + b);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty; Sub sub |a, b| a - b);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty; Mul mul |a, b| a * b);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty; Div div |a, b| a / b);

        impl<'a, $($gen)*> ::std::ops::Neg for &'a $ty {
            type Output = $ty;
            fn neg(self) -> $ty {
                $crate::dense::map::<B, $ty>(self, |x| -x)
            }
        }
        impl<$($gen)*> ::std::ops::Neg for $ty {
            type Output = $ty;
            fn neg(self) -> $ty {
                -&self
            }
        }
    };
    (@binop [$($gen:tt)*] $ty:ty; $trait:ident $method:ident |$a:ident, $b:ident| $e:expr) => {
        /// Element-wise.
        impl<'a, $($gen)*> ::std::ops::$trait<&'a $ty> for &'a $ty {
            type Output = $ty;
            #[track_caller]
            fn $method(self, rhs: &'a $ty) -> $ty {
                $crate::dense::zip_map::<B, $ty>(self, rhs, |$a, $b| $e)
            }
        }
        /// Element-wise.
        impl<$($gen)*> ::std::ops::$trait for $ty {
            type Output = $ty;
            #[track_caller]
            fn $method(self, rhs: $ty) -> $ty {
                $crate::dense::zip_map::<B, $ty>(&self, &rhs, |$a, $b| $e)
            }
        }
    };
}

pub(crate) use impl_dense;
