//! What every vector and matrix type shares (public so generic code can name it), written once:
//! element-wise arithmetic, [`Backprop`](backprop_core::Backprop), [`Floating`](backprop_core::Floating),
//! [`Coords`](backprop_core::Coords),
//! equality and debug printing.
//!
//! A type says how it stores its entries by implementing [`Dense`] (its storage kind is a
//! backend vector or matrix: [`VecKind`] or [`MatKind`], of `f64` unless it names another
//! scalar, as the complex types do with `Complex64`); the `impl_dense!` macro then derives the
//! shared trait impls from it.

use std::fmt::Debug;

use backprop_backend::{LinalgBackend, Scalar};

use backprop_core::BVar;

use crate::backend::Backend;

/// One storage shape of a backend (vector or matrix) for scalar `S`, with the operations the
/// shared impls use.
pub trait StorageKind<B: LinalgBackend<S>, S: Scalar> {
    /// The backend's storage.
    type Data: Clone + Debug + Send + Sync + 'static;
    /// Number of entries.
    fn len(d: &Self::Data) -> usize;
    /// Shape as `(rows, cols)` (`(n, 1)` for a vector).
    fn shape(d: &Self::Data) -> (usize, usize);
    /// Entry `k` in row-major order.
    fn get(d: &Self::Data, k: usize) -> S;
    /// All entries in row-major order.
    fn entries(d: &Self::Data) -> Vec<S>;
    /// The sum of the entries.
    fn sum(d: &Self::Data) -> S;
    /// `f` on every entry, in place.
    fn map_mut(d: &mut Self::Data, f: impl FnMut(S) -> S);
    /// Same shape as `like`, entry `k` (row-major) from `f(k)`.
    fn from_fn_like(like: &Self::Data, f: impl FnMut(usize) -> S) -> Self::Data;
    /// Storage of `shape` (`(n, 1)` for a vector), entry `k` (row-major) from `f(k)`.
    fn from_fn_shape(shape: (usize, usize), f: impl FnMut(usize) -> S) -> Self::Data;
    /// `f` on every entry.
    fn map(d: &Self::Data, f: impl FnMut(S) -> S) -> Self::Data;
    /// `f` on corresponding entries; `None` if the shapes differ.
    fn zip_map(a: &Self::Data, b: &Self::Data, f: impl FnMut(S, S) -> S) -> Option<Self::Data>;
    /// `a ← f(a, b)` on corresponding entries, in place; `false` if the shapes differ.
    fn zip_apply(a: &mut Self::Data, b: &Self::Data, f: impl FnMut(S, S) -> S) -> bool;
    /// `y += alpha·x`, in place; `false` if the shapes differ.
    fn axpy(y: &mut Self::Data, alpha: S, x: &Self::Data) -> bool;
    /// `dst ← src`, in place; `false` if the shapes differ.
    fn copy_from(dst: &mut Self::Data, src: &Self::Data) -> bool;
    /// Storage without entries (no allocation).
    fn empty() -> Self::Data;
    /// Whether this is vector storage (messages then give lengths, not shapes).
    const IS_VECTOR: bool;
    /// A shape as messages write it: `3 entries` for a vector, `3×2` for a matrix.
    fn describe(shape: (usize, usize)) -> String;
    /// Sizes as messages write them, `any` for a run-time size: `any entries`, `3×any`.
    fn describe_sizes(rows: &str, cols: &str) -> String;
}

/// Vector storage.
pub struct VecKind;
/// Matrix storage.
pub struct MatKind;

impl<S: Scalar, B: LinalgBackend<S>> StorageKind<B, S> for VecKind {
    type Data = B::Vector;
    const IS_VECTOR: bool = true;
    fn len(d: &Self::Data) -> usize {
        B::vec_len(d)
    }
    fn shape(d: &Self::Data) -> (usize, usize) {
        (B::vec_len(d), 1)
    }
    fn get(d: &Self::Data, k: usize) -> S {
        B::vec_get(d, k)
    }
    fn entries(d: &Self::Data) -> Vec<S> {
        B::vec_to_vec(d)
    }
    fn sum(d: &Self::Data) -> S {
        B::vec_sum(d)
    }
    fn map_mut(d: &mut Self::Data, f: impl FnMut(S) -> S) {
        B::vec_map_mut(d, f)
    }
    fn from_fn_like(like: &Self::Data, f: impl FnMut(usize) -> S) -> Self::Data {
        B::vec_from_fn(B::vec_len(like), f)
    }
    fn from_fn_shape((n, _): (usize, usize), f: impl FnMut(usize) -> S) -> Self::Data {
        B::vec_from_fn(n, f)
    }
    fn map(d: &Self::Data, f: impl FnMut(S) -> S) -> Self::Data {
        B::vec_map(d, f)
    }
    fn zip_map(a: &Self::Data, b: &Self::Data, f: impl FnMut(S, S) -> S) -> Option<Self::Data> {
        B::vec_zip_map(a, b, f).ok()
    }
    fn zip_apply(a: &mut Self::Data, b: &Self::Data, f: impl FnMut(S, S) -> S) -> bool {
        B::vec_zip_apply(a, b, f).is_ok()
    }
    fn axpy(y: &mut Self::Data, alpha: S, x: &Self::Data) -> bool {
        B::vec_axpy(y, alpha, x).is_ok()
    }
    fn copy_from(dst: &mut Self::Data, src: &Self::Data) -> bool {
        B::vec_copy_from(dst, src).is_ok()
    }
    fn empty() -> Self::Data {
        B::vec_from_fn(0, |_| S::from_f64(0.0))
    }
    fn describe((n, _): (usize, usize)) -> String {
        format!("{n} entries")
    }
    fn describe_sizes(rows: &str, _: &str) -> String {
        format!("{rows} entries")
    }
}

impl<S: Scalar, B: LinalgBackend<S>> StorageKind<B, S> for MatKind {
    type Data = B::Matrix;
    const IS_VECTOR: bool = false;
    fn len(d: &Self::Data) -> usize {
        let (r, c) = B::mat_shape(d);
        r * c
    }
    fn shape(d: &Self::Data) -> (usize, usize) {
        B::mat_shape(d)
    }
    fn get(d: &Self::Data, k: usize) -> S {
        let cols = B::mat_shape(d).1;
        B::mat_get(d, k / cols, k % cols)
    }
    fn entries(d: &Self::Data) -> Vec<S> {
        B::mat_to_row_major(d)
    }
    fn sum(d: &Self::Data) -> S {
        B::mat_sum(d)
    }
    fn map_mut(d: &mut Self::Data, f: impl FnMut(S) -> S) {
        B::mat_map_mut(d, f)
    }
    fn from_fn_like(like: &Self::Data, f: impl FnMut(usize) -> S) -> Self::Data {
        <Self as StorageKind<B, S>>::from_fn_shape(B::mat_shape(like), f)
    }
    fn from_fn_shape((rows, cols): (usize, usize), mut f: impl FnMut(usize) -> S) -> Self::Data {
        B::mat_from_fn(rows, cols, |i, j| f(i * cols + j))
    }
    fn map(d: &Self::Data, f: impl FnMut(S) -> S) -> Self::Data {
        B::mat_map(d, f)
    }
    fn zip_map(a: &Self::Data, b: &Self::Data, f: impl FnMut(S, S) -> S) -> Option<Self::Data> {
        B::mat_zip_map(a, b, f).ok()
    }
    fn zip_apply(a: &mut Self::Data, b: &Self::Data, f: impl FnMut(S, S) -> S) -> bool {
        B::mat_zip_apply(a, b, f).is_ok()
    }
    fn axpy(y: &mut Self::Data, alpha: S, x: &Self::Data) -> bool {
        B::mat_axpy(y, alpha, x).is_ok()
    }
    fn copy_from(dst: &mut Self::Data, src: &Self::Data) -> bool {
        B::mat_copy_from(dst, src).is_ok()
    }
    fn empty() -> Self::Data {
        B::mat_from_fn(0, 0, |_, _| S::from_f64(0.0))
    }
    fn describe((rows, cols): (usize, usize)) -> String {
        format!("{rows}×{cols}")
    }
    fn describe_sizes(rows: &str, cols: &str) -> String {
        format!("{rows}×{cols}")
    }
}

/// A value stored as one backend vector or matrix of scalars `S` (`f64` unless named: the
/// complex types [`C`](crate::C) and [`M`](crate::M) are `Dense<B, Complex64>`).
///
/// Sealed: only this crate's types implement it, and only this crate builds one from raw
/// storage or writes its storage through it (the crate-private `Construct`), so the invariants the types promise
/// hold (a [`Sym`](crate::Sym) is symmetric, a [`Her`](crate::Her) Hermitian, a statically sized
/// value has its size). The unconstrained types offer an update of their storage in place
/// ([`R::update_data`](crate::R::update_data), ...), which keeps the shape; `Sym` and `Her` are
/// built from raw storage only by their explicitly named `from_data_unchecked`.
///
/// ```compile_fail
/// use backprop_linalg::{L, Sym, typenum::U2};
/// // Not callable outside the crate: a `Sym` could be wrapped around a non-symmetric matrix.
/// let s: Sym<U2> = Sym::wrap(L::<U2, U2>::from_row_major(&[1.0, 2.0, 3.0, 4.0]).into_data());
/// ```
pub trait Dense<B: LinalgBackend<S>, S: Scalar>: Construct<B, S> {
    /// The storage.
    fn data(&self) -> &<Self::Kind as StorageKind<B, S>>::Data;
}

pub(crate) use sealed::Construct;

/// What the element-wise operators' `try_` forms ([`try_add`](crate::try_add), ...) need of a
/// vector or matrix type, whatever its backend and scalar: its shape, and `+ - * /` on its
/// variables. Implemented by every type of this crate.
pub trait Elementwise: backprop_core::Backprop {
    /// Whether the value is a vector (messages then give lengths, not shapes).
    const IS_VECTOR: bool;
    /// `(rows, cols)`; `(n, 1)` for a vector.
    fn storage_shape(&self) -> (usize, usize);
    /// `x + y` (the operator).
    fn add_vars<'t>(x: BVar<'t, Self>, y: BVar<'t, Self>) -> BVar<'t, Self>;
    /// `x − y` (the operator).
    fn sub_vars<'t>(x: BVar<'t, Self>, y: BVar<'t, Self>) -> BVar<'t, Self>;
    /// `x ∘ y` (the operator `*`).
    fn mul_vars<'t>(x: BVar<'t, Self>, y: BVar<'t, Self>) -> BVar<'t, Self>;
    /// `x / y` (the operator).
    fn div_vars<'t>(x: BVar<'t, Self>, y: BVar<'t, Self>) -> BVar<'t, Self>;
}

mod sealed {
    use backprop_backend::{LinalgBackend, Scalar};

    use crate::dim::Dim;

    use super::StorageKind;

    /// How this crate builds and rewrites a [`Dense`](super::Dense) value: not nameable outside
    /// the crate, so no one else can wrap storage that breaks a type's invariant.
    pub trait Construct<B: LinalgBackend<S>, S: Scalar>: Sized {
        /// Its storage kind.
        type Kind: StorageKind<B, S>;
        /// Its number of rows (a vector's length).
        type Rows: Dim;
        /// Its number of columns (`U1` for a vector).
        type Cols: Dim;
        /// Whether it is square whatever its size (`Sym`, `Her`), which a [`Dyn`](crate::Dyn)
        /// size does not say.
        const SQUARE: bool = false;
        /// The storage, mutably. Implementations keep their invariants (size; symmetry for
        /// `Sym`, Hermitian symmetry for `Her`) only through the shared impls, which preserve
        /// them.
        fn data_mut(&mut self) -> &mut <Self::Kind as StorageKind<B, S>>::Data;
        /// Wraps storage of the right shape (and, for `Sym` and `Her`, symmetric).
        fn wrap(data: <Self::Kind as StorageKind<B, S>>::Data) -> Self;
        /// Restores the type's invariant after an arbitrary change of entries (symmetrises a
        /// `Sym`, hermitises a `Her`); the identity for the other types.
        fn normalize(self) -> Self {
            self
        }
    }
}

/// The shared entry-wise operations, for any scalar. The functions of the same names one level
/// up are their real (`f64`) forms, which the ops call.
pub(crate) mod any {
    use backprop_backend::{LinalgBackend, LinalgError, Scalar};
    use backprop_core::Coords;

    use super::{Dense, StorageKind};
    use crate::dim::Dim;
    use crate::pool;

    /// `f` on corresponding entries; `op` names it in the panic.
    ///
    /// # Panics
    /// If the shapes differ (only possible for run-time sizes), with the message of the
    /// [`LinalgError::ShapeMismatch`] of `op`, at the caller's line.
    #[track_caller]
    pub(crate) fn zip_map<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        op: &'static str,
        a: &T,
        b: &T,
        f: impl FnMut(S, S) -> S,
    ) -> T {
        match T::Kind::zip_map(a.data(), b.data(), f) {
            Some(d) => T::wrap(d),
            None => shape_panic::<S, B, T>(op, a, b),
        }
    }

    /// `a ← f(a, b)` on corresponding entries, in place.
    ///
    /// # Panics
    /// If the shapes differ.
    #[track_caller]
    pub(crate) fn zip_apply<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        a: &mut T,
        b: &T,
        f: impl FnMut(S, S) -> S,
    ) {
        if !T::Kind::zip_apply(a.data_mut(), b.data(), f) {
            shape_panic::<S, B, T>(ELEMENTWISE, a, b);
        }
    }

    /// The name in the panics of the element-wise operations that have no other.
    pub(crate) const ELEMENTWISE: &str = "element-wise operation";

    /// Panics with the [`LinalgError::ShapeMismatch`] of `op` on `a` and `b`: the message of
    /// the `try_` forms (`crate::ops::elementwise`).
    #[track_caller]
    pub(super) fn shape_panic<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        op: &'static str,
        a: &T,
        b: &T,
    ) -> ! {
        let (sa, sb) = (shape::<S, B, T>(a), shape::<S, B, T>(b));
        match crate::ops::support::shapes::same(op, sa, sb, T::Kind::IS_VECTOR) {
            Err(e) => panic!("{e}"),
            Ok(()) => unreachable!("{op}: shapes {sa:?} and {sb:?} were found to differ"),
        }
    }

    /// `f` on corresponding entries of three values.
    ///
    /// # Panics
    /// If the shapes differ.
    #[track_caller]
    pub(crate) fn zip_map3<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        a: &T,
        b: &T,
        c: &T,
        mut f: impl FnMut(S, S, S) -> S,
    ) -> T {
        let (da, db, dc) = (a.data(), b.data(), c.data());
        let shape = T::Kind::shape(da);
        if T::Kind::shape(db) != shape {
            shape_panic::<S, B, T>(ELEMENTWISE, a, b);
        }
        if T::Kind::shape(dc) != shape {
            shape_panic::<S, B, T>(ELEMENTWISE, a, c);
        }
        T::wrap(T::Kind::from_fn_like(da, |k| {
            f(
                T::Kind::get(da, k),
                T::Kind::get(db, k),
                T::Kind::get(dc, k),
            )
        }))
    }

    /// `y += alpha·x` in place.
    #[track_caller]
    pub(crate) fn axpy<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(y: &mut T, alpha: S, x: &T) {
        if !T::Kind::axpy(y.data_mut(), alpha, x.data()) {
            shape_panic::<S, B, T>(ELEMENTWISE, y, x);
        }
    }

    /// All entries, row-major.
    pub(crate) fn entries<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(a: &T) -> Vec<S> {
        T::Kind::entries(a.data())
    }

    /// A value shaped like `like` whose entries (row-major) are read, each by its scalar's
    /// [`Coords`] (one coordinate for a real, two for a complex number), from `coords`.
    pub(crate) fn read_entries<S, B, T>(like: &T, coords: &mut &[f64]) -> T
    where
        S: Scalar + Coords,
        B: LinalgBackend<S>,
        T: Dense<B, S>,
    {
        let read: Vec<S> = entries::<S, B, T>(like)
            .iter()
            .map(|x| x.read_coords(coords))
            .collect();
        T::wrap(T::Kind::from_fn_like(like.data(), |k| read[k])).normalize()
    }

    /// Storage of `shape`: a buffer from the [pool](crate::pool) that `fill` overwrites, or, when
    /// the pool has none of that shape, `fresh()`. Every constructor that writes every entry
    /// goes through here.
    pub(crate) fn reuse_or<S: Scalar, B: LinalgBackend<S>, K: StorageKind<B, S>>(
        shape: (usize, usize),
        fill: impl FnOnce(&mut K::Data),
        fresh: impl FnOnce() -> K::Data,
    ) -> K::Data {
        match pool::take::<S, B, K>(shape) {
            Some(mut spare) => {
                fill(&mut spare);
                spare
            }
            None => fresh(),
        }
    }

    /// The same shape filled with `x`.
    pub(crate) fn filled<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(like: &T, x: S) -> T {
        let like = like.data();
        T::wrap(reuse_or::<S, B, T::Kind>(
            T::Kind::shape(like),
            |d| T::Kind::map_mut(d, |_| x),
            || T::Kind::from_fn_like(like, |_| x),
        ))
    }

    /// `f` on every entry.
    pub(crate) fn map<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        a: &T,
        f: impl Fn(S) -> S,
    ) -> T {
        let a = a.data();
        T::wrap(reuse_or::<S, B, T::Kind>(
            T::Kind::shape(a),
            |d| {
                T::Kind::zip_apply(d, a, |_, x| f(x));
            },
            || T::Kind::map(a, &f),
        ))
    }

    /// A copy.
    pub(crate) fn copy<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(a: &T) -> T {
        let a = a.data();
        T::wrap(reuse_or::<S, B, T::Kind>(
            T::Kind::shape(a),
            |d| {
                T::Kind::copy_from(d, a);
            },
            || a.clone(),
        ))
    }

    /// `f` on the storage, mutably, checking that it keeps its shape.
    #[track_caller]
    pub(crate) fn update_data<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>, R>(
        a: &mut T,
        f: impl FnOnce(&mut <T::Kind as StorageKind<B, S>>::Data) -> R,
    ) -> R {
        let shape = T::Kind::shape(a.data());
        let out = f(a.data_mut());
        let after = T::Kind::shape(a.data());
        assert!(
            after == shape,
            "update_data: the storage changed shape from {}×{} to {}×{}",
            shape.0,
            shape.1,
            after.0,
            after.1
        );
        out
    }

    /// The storage, moved out; `a` is left without entries (which the pool ignores when `a` is
    /// dropped).
    pub(crate) fn take_data<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        a: &mut T,
    ) -> <T::Kind as StorageKind<B, S>>::Data {
        std::mem::replace(a.data_mut(), T::Kind::empty())
    }

    /// The storage of `a`, by value.
    pub(crate) fn into_data<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        mut a: T,
    ) -> <T::Kind as StorageKind<B, S>>::Data {
        take_data(&mut a)
    }

    /// Gives the storage of a value being dropped to the [pool](crate::pool).
    pub(crate) fn recycle<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(a: &mut T) {
        pool::give::<S, B, T::Kind>(take_data(a));
    }

    /// Whether storage of `shape` has the sizes `T` promises.
    pub(crate) fn fits<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        shape: (usize, usize),
    ) -> bool {
        T::Rows::admits(shape.0) && T::Cols::admits(shape.1) && (!T::SQUARE || shape.0 == shape.1)
    }

    /// The sizes `T` promises, as messages write them (`3×2`, `any entries`, `3×any`,
    /// `n×n` for a run-time sized `Sym`).
    pub(crate) fn expected<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>() -> String {
        if T::SQUARE && T::Rows::STATIC.is_none() {
            return T::Kind::describe_sizes("n", "n");
        }
        T::Kind::describe_sizes(&T::Rows::describe(), &T::Cols::describe())
    }

    /// `data` as a `T`, if its shape has the sizes `T` promises; the error names `op`.
    pub(crate) fn try_wrap<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        op: &'static str,
        data: <T::Kind as StorageKind<B, S>>::Data,
    ) -> Result<T, LinalgError> {
        let shape = T::Kind::shape(&data);
        if fits::<S, B, T>(shape) {
            Ok(T::wrap(data))
        } else {
            Err(mismatch::<S, B, T>(op, shape))
        }
    }

    /// The error of `op` for storage of `shape` where a `T` is needed.
    pub(crate) fn mismatch<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(
        op: &'static str,
        shape: (usize, usize),
    ) -> LinalgError {
        LinalgError::ShapeMismatch {
            op,
            expected: expected::<S, B, T>(),
            found: T::Kind::describe(shape),
        }
    }

    /// `a`'s storage as a `U` (the same storage, other sizes: `R<U3>` as `R<Dyn>` or back),
    /// if it has the sizes `U` promises; the error names `op`. No copy.
    pub(crate) fn try_recast<S, B, T, U>(op: &'static str, mut a: T) -> Result<U, LinalgError>
    where
        S: Scalar,
        B: LinalgBackend<S>,
        T: Dense<B, S>,
        U: Dense<B, S, Kind = T::Kind>,
    {
        try_wrap::<S, B, U>(op, take_data(&mut a))
    }

    /// Shape of the storage, for messages.
    pub(crate) fn shape<S: Scalar, B: LinalgBackend<S>, T: Dense<B, S>>(a: &T) -> (usize, usize) {
        T::Kind::shape(a.data())
    }
}

/// `f` on corresponding entries.
///
/// # Panics
/// If the shapes differ (only possible for the dynamically sized types).
#[track_caller]
pub(crate) fn zip_map<B: Backend, T: Dense<B, B::Real>>(
    a: &T,
    b: &T,
    f: impl FnMut(B::Real, B::Real) -> B::Real,
) -> T {
    any::zip_map::<B::Real, B, T>(any::ELEMENTWISE, a, b, f)
}

/// All entries, row-major.
pub(crate) fn entries<B: Backend, T: Dense<B, B::Real>>(a: &T) -> Vec<B::Real> {
    any::entries::<B::Real, B, T>(a)
}

/// The sum of all entries, read in place.
pub(crate) fn sum<B: Backend, T: Dense<B, B::Real>>(a: &T) -> B::Real {
    T::Kind::sum(a.data())
}

/// `a ← a + x` on every entry, in place (keeps `Sym` symmetric).
pub(crate) fn add_to_entries<B: Backend, T: Dense<B, B::Real>>(a: &mut T, x: B::Real) {
    T::Kind::map_mut(a.data_mut(), |v| v + x);
}

/// The same shape filled with `x`.
pub(crate) fn filled<B: Backend, T: Dense<B, B::Real>>(like: &T, x: B::Real) -> T {
    any::filled::<B::Real, B, T>(like, x)
}

/// `f` on every entry.
pub(crate) fn map<B: Backend, T: Dense<B, B::Real>>(a: &T, f: impl Fn(B::Real) -> B::Real) -> T {
    any::map::<B::Real, B, T>(a, f)
}

/// Implements the shared traits for a [`Dense`] type.
///
/// - `impl_dense!([generics] Type)`, a real type: `Clone`, `Debug`, `PartialEq`, `Backprop`,
///   `Coords`, `Floating`, and element-wise `+ - * /` and unary `-` on references and values.
/// - `impl_dense!(complex [generics] Type)`, a `Dense<B, Complex64>` type: the same, with
///   `Floating` over complex elements. Its [`Conjugate`](backprop_core::Conjugate) impl conjugates, so `BVar`'s
///   product and quotient rules conjugate the other operand (`x̄ = ȳ∘conj(y)`), the conjugate
///   Wirtinger convention of the whole project.
/// - `impl_dense!(complex_arithmetic [generics] Type)`: the complex form without `Floating`, for
///   [`Her`](crate::Her), which element-wise elementary functions would not keep Hermitian.
macro_rules! impl_dense {
    ([$($gen:tt)*] $ty:ty) => {
        $crate::dense::impl_dense!(@shared B::Real; [$($gen)*] $ty);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty; Mul mul "hadamard" |a, b| a * b);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty; Div div "div" |a, b| a / b);

        $crate::dense::impl_dense!(@floating B::Real; [$($gen)*] $ty);
    };
    (complex [$($gen:tt)*] $ty:ty) => {
        $crate::dense::impl_dense!(complex_arithmetic [$($gen)*] $ty);
        $crate::dense::impl_dense!(@floating $crate::backend::ComplexOf<B>; [$($gen)*] $ty);
    };
    (complex_arithmetic [$($gen:tt)*] $ty:ty) => {
        $crate::dense::impl_dense!(@shared $crate::backend::ComplexOf<B>; [$($gen)*] $ty);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty, $crate::backend::ComplexOf<B>; Mul mul "hadamard" |a, b| a * b);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty, $crate::backend::ComplexOf<B>; Div div "div" |a, b| a / b);
    };
    (@floating $s:ty; [$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> ::backprop_core::Floating for $ty {
            type Elem = $s;
            fn map(&self, f: impl Fn($s) -> $s) -> Self {
                $crate::dense::any::map::<$s, B, Self>(self, f)
            }
            #[track_caller]
            fn zip_map(&self, other: &Self, f: impl Fn($s, $s) -> $s) -> Self {
                $crate::dense::any::zip_map::<$s, B, Self>($crate::dense::any::ELEMENTWISE, self, other, f)
            }
            #[track_caller]
            fn zip_apply(&mut self, other: &Self, f: impl Fn($s, $s) -> $s) {
                $crate::dense::any::zip_apply::<$s, B, Self>(self, other, f)
            }
            #[track_caller]
            fn zip_map3(&self, b: &Self, c: &Self, f: impl Fn($s, $s, $s) -> $s) -> Self {
                $crate::dense::any::zip_map3::<$s, B, Self>(self, b, c, f)
            }
        }
    };
    (@shared $s:ty; [$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> Clone for $ty {
            fn clone(&self) -> Self {
                $crate::dense::any::copy::<$s, B, Self>(self)
            }
        }

        /// Gives the storage to the thread's [pool](crate::pool), for the next value of its
        /// shape.
        impl<$($gen)*> Drop for $ty {
            fn drop(&mut self) {
                $crate::dense::any::recycle::<$s, B, Self>(self);
            }
        }

        impl<$($gen)*> ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let (rows, cols) = $crate::dense::any::shape::<$s, B, Self>(self);
                let e = $crate::dense::any::entries::<$s, B, Self>(self);
                write!(f, "{}{}×{} {:?}", stringify!($ty).split('<').next().unwrap_or(""), rows, cols, e)
            }
        }

        impl<$($gen)*> PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                $crate::dense::any::shape::<$s, B, Self>(self)
                    == $crate::dense::any::shape::<$s, B, Self>(other)
                    && $crate::dense::any::entries::<$s, B, Self>(self)
                        == $crate::dense::any::entries::<$s, B, Self>(other)
            }
        }

        impl<$($gen)*> ::backprop_core::Backprop for $ty {
            fn zero(&self) -> Self {
                let zero = <$s as ::backprop_backend::Scalar>::from_f64(0.0);
                $crate::dense::any::filled::<$s, B, Self>(self, zero)
            }
            fn one(&self) -> Self {
                let one = <$s as ::backprop_backend::Scalar>::from_f64(1.0);
                $crate::dense::any::filled::<$s, B, Self>(self, one)
            }
            #[track_caller]
            fn add(mut self, rhs: Self) -> Self {
                ::backprop_core::Backprop::add_assign(&mut self, rhs);
                self
            }
            #[track_caller]
            fn add_assign(&mut self, rhs: Self) {
                let one = <$s as ::backprop_backend::Scalar>::from_f64(1.0);
                $crate::dense::any::axpy::<$s, B, Self>(self, one, &rhs);
            }
        }

        impl<$($gen)*> $crate::dense::Elementwise for $ty {
            const IS_VECTOR: bool =
                <<Self as $crate::dense::Construct<B, $s>>::Kind as $crate::dense::StorageKind<B, $s>>::IS_VECTOR;
            fn storage_shape(&self) -> (usize, usize) {
                $crate::dense::any::shape::<$s, B, Self>(self)
            }
            #[track_caller]
            fn add_vars<'t>(x: ::backprop_core::BVar<'t, Self>, y: ::backprop_core::BVar<'t, Self>) -> ::backprop_core::BVar<'t, Self> {
                x + y
            }
            #[track_caller]
            fn sub_vars<'t>(x: ::backprop_core::BVar<'t, Self>, y: ::backprop_core::BVar<'t, Self>) -> ::backprop_core::BVar<'t, Self> {
                x - y
            }
            #[track_caller]
            fn mul_vars<'t>(x: ::backprop_core::BVar<'t, Self>, y: ::backprop_core::BVar<'t, Self>) -> ::backprop_core::BVar<'t, Self> {
                x * y
            }
            #[track_caller]
            fn div_vars<'t>(x: ::backprop_core::BVar<'t, Self>, y: ::backprop_core::BVar<'t, Self>) -> ::backprop_core::BVar<'t, Self> {
                x / y
            }
        }

        impl<$($gen)*> ::backprop_core::Conjugate for $ty {
            fn conj(&self) -> ::std::borrow::Cow<'_, Self> {
                if <$s as ::backprop_backend::Scalar>::IS_COMPLEX {
                    let conj = ::backprop_backend::Scalar::conj;
                    ::std::borrow::Cow::Owned($crate::dense::any::map::<$s, B, Self>(self, conj))
                } else {
                    ::std::borrow::Cow::Borrowed(self)
                }
            }
        }

        impl<$($gen)*> ::backprop_core::Coords for $ty {
            fn write_coords(&self, out: &mut Vec<f64>) {
                for x in $crate::dense::any::entries::<$s, B, Self>(self) {
                    ::backprop_core::Coords::write_coords(&x, out);
                }
            }
            fn read_coords(&self, coords: &mut &[f64]) -> Self {
                $crate::dense::any::read_entries::<$s, B, Self>(self, coords)
            }
            fn coord_epsilon() -> f64 {
                <$s as ::backprop_core::Coords>::coord_epsilon()
            }
        }

        $crate::dense::impl_dense!(@binop [$($gen)*] $ty, $s; Add add "add" |a, b| a + b);
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty, $s; Sub sub "sub" |a, b| a - b);

        impl<'a, $($gen)*> ::std::ops::Neg for &'a $ty {
            type Output = $ty;
            fn neg(self) -> $ty {
                $crate::dense::any::map::<$s, B, $ty>(self, |x| -x)
            }
        }
        impl<$($gen)*> ::std::ops::Neg for $ty {
            type Output = $ty;
            fn neg(self) -> $ty {
                -&self
            }
        }
    };
    (@binop [$($gen:tt)*] $ty:ty; $($rest:tt)*) => {
        $crate::dense::impl_dense!(@binop [$($gen)*] $ty, B::Real; $($rest)*);
    };
    (@binop [$($gen:tt)*] $ty:ty, $s:ty; $trait:ident $method:ident $op:literal |$a:ident, $b:ident| $e:expr) => {
        /// Element-wise.
        impl<'a, $($gen)*> ::std::ops::$trait<&'a $ty> for &'a $ty {
            type Output = $ty;
            #[track_caller]
            fn $method(self, rhs: &'a $ty) -> $ty {
                $crate::dense::any::zip_map::<$s, B, $ty>($op, self, rhs, |$a, $b| $e)
            }
        }
        $crate::dense::impl_dense!(@owned [$($gen)*] $ty, $s; $trait $method $op |$a, $b| $e);
    };
    (@owned [$($gen:tt)*] $ty:ty, $s:ty; $trait:ident $method:ident $op:literal |$a:ident, $b:ident| $e:expr) => {
        /// Element-wise.
        impl<$($gen)*> ::std::ops::$trait for $ty {
            type Output = $ty;
            #[track_caller]
            fn $method(self, rhs: $ty) -> $ty {
                $crate::dense::any::zip_map::<$s, B, $ty>($op, &self, &rhs, |$a, $b| $e)
            }
        }
    };
}

pub(crate) use impl_dense;
