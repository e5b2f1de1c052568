//! The [`Backprop`] trait: what a type needs so that gradients of it can be accumulated.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use num_complex::Complex;

/// A type whose values can flow through a differentiated computation.
///
/// Gradients have the same type as the values they belong to. The backward pass needs three
/// things of that type, the port of Haskell's `class Backprop a`:
///
/// - [`zero`](Backprop::zero): the gradient of a value that does not affect the output (the
///   additive identity, shaped like `self`);
/// - [`add`](Backprop::add): how two gradient contributions combine, when a value is used more
///   than once;
/// - [`one`](Backprop::one): the seed of the backward pass when `self` is the output (for scalars
///   `1`, for containers all ones).
///
/// # Laws
///
/// For all `x`, `y`, `z` of compatible shape (`==` meaning equality up to floating-point rounding):
///
/// - identity: `x.add(x.zero()) == x` and `x.zero().add(x) == x`;
/// - commutativity: `x.add(y) == y.add(x)`;
/// - associativity: `x.add(y).add(z) == x.add(y.add(z))`;
/// - idempotence of zero and one: `x.zero().zero() == x.zero()`, `x.one().one() == x.one()`;
/// - `one` is the gradient of the identity: `grad_bp(|v| v, &x) == x.one()`.
///
/// The crate's test suite checks these laws for every instance it ships, derived ones included.
///
/// # Implementing it
///
/// `#[derive(Backprop)]` implements it field by field for structs and tuple structs:
///
/// ```
/// use backprop_core::Backprop;
///
/// #[derive(Clone, Debug, PartialEq, Backprop)]
/// struct Layer {
///     weights: Vec<f64>,
///     bias: f64,
/// }
///
/// let l = Layer { weights: vec![1.0, 2.0], bias: 3.0 };
/// assert_eq!(l.zero(), Layer { weights: vec![0.0, 0.0], bias: 0.0 });
/// ```
///
/// By hand, for a type with its own arithmetic:
///
/// ```
/// use backprop_core::Backprop;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Money(i64);
///
/// impl Backprop for Money {
///     fn zero(&self) -> Self { Money(0) }
///     fn add(self, rhs: Self) -> Self { Money(self.0 + rhs.0) }
///     fn one(&self) -> Self { Money(1) }
/// }
/// ```
pub trait Backprop: Clone + 'static {
    /// The additive identity shaped like `self`.
    fn zero(&self) -> Self;

    /// Combines two gradient contributions.
    fn add(self, rhs: Self) -> Self;

    /// The seed of the backward pass when `self` is the differentiated output.
    fn one(&self) -> Self;

    /// `*self = self.add(rhs)`, in place. Override it when the type can add without
    /// reallocating (the backward pass accumulates through it).
    fn add_assign(&mut self, rhs: Self) {
        let placeholder = rhs.zero();
        let lhs = std::mem::replace(self, placeholder);
        *self = lhs.add(rhs);
    }
}

macro_rules! impl_backprop_num {
    ($zero:expr, $one:expr => $($t:ty),*) => {$(
        impl Backprop for $t {
            #[inline]
            fn zero(&self) -> Self { $zero }
            #[inline]
            fn add(self, rhs: Self) -> Self { self + rhs }
            #[inline]
            fn one(&self) -> Self { $one }
            #[inline]
            fn add_assign(&mut self, rhs: Self) { *self += rhs }
        }
    )*};
}

impl_backprop_num!(0.0, 1.0 => f32, f64);
impl_backprop_num!(0, 1 => i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl<T: Backprop + num_traits::Num> Backprop for Complex<T> {
    #[inline]
    fn zero(&self) -> Self {
        Complex::new(num_traits::Zero::zero(), num_traits::Zero::zero())
    }
    #[inline]
    fn add(self, rhs: Self) -> Self {
        self + rhs
    }
    #[inline]
    fn one(&self) -> Self {
        Complex::new(num_traits::One::one(), num_traits::Zero::zero())
    }
}

impl Backprop for () {
    fn zero(&self) -> Self {}
    fn add(self, _rhs: Self) -> Self {}
    fn one(&self) -> Self {}
}

macro_rules! impl_backprop_tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Backprop),+> Backprop for ($($name,)+) {
            fn zero(&self) -> Self { ($(self.$idx.zero(),)+) }
            fn add(self, rhs: Self) -> Self { ($(self.$idx.add(rhs.$idx),)+) }
            fn one(&self) -> Self { ($(self.$idx.one(),)+) }
            fn add_assign(&mut self, rhs: Self) { $(self.$idx.add_assign(rhs.$idx);)+ }
        }
    };
}

impl_backprop_tuple!(A 0);
impl_backprop_tuple!(A 0, B 1);
impl_backprop_tuple!(A 0, B 1, C 2);
impl_backprop_tuple!(A 0, B 1, C 2, D 3);
impl_backprop_tuple!(A 0, B 1, C 2, D 3, E 4);
impl_backprop_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
impl_backprop_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
impl_backprop_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

impl<T: Backprop, const N: usize> Backprop for [T; N] {
    fn zero(&self) -> Self {
        std::array::from_fn(|i| self[i].zero())
    }
    fn add(mut self, rhs: Self) -> Self {
        self.add_assign(rhs);
        self
    }
    fn one(&self) -> Self {
        std::array::from_fn(|i| self[i].one())
    }
    fn add_assign(&mut self, rhs: Self) {
        for (a, b) in self.iter_mut().zip(rhs) {
            a.add_assign(b);
        }
    }
}

/// Element-wise; when the lengths differ, the longer tail is kept, so no contribution is lost
/// (Haskell's `backprop` does the same for lists).
impl<T: Backprop> Backprop for Vec<T> {
    fn zero(&self) -> Self {
        self.iter().map(Backprop::zero).collect()
    }
    fn add(mut self, rhs: Self) -> Self {
        self.add_assign(rhs);
        self
    }
    fn one(&self) -> Self {
        self.iter().map(Backprop::one).collect()
    }
    fn add_assign(&mut self, rhs: Self) {
        let mut rhs = rhs.into_iter();
        for a in self.iter_mut() {
            match rhs.next() {
                Some(b) => a.add_assign(b),
                None => return,
            }
        }
        self.extend(rhs);
    }
}

/// `None` is the identity: `None + x = x`.
impl<T: Backprop> Backprop for Option<T> {
    fn zero(&self) -> Self {
        self.as_ref().map(Backprop::zero)
    }
    fn add(self, rhs: Self) -> Self {
        match (self, rhs) {
            (Some(a), Some(b)) => Some(a.add(b)),
            (a, None) => a,
            (None, b) => b,
        }
    }
    fn one(&self) -> Self {
        self.as_ref().map(Backprop::one)
    }
    fn add_assign(&mut self, rhs: Self) {
        match (self.as_mut(), rhs) {
            (Some(a), Some(b)) => a.add_assign(b),
            (None, b) => *self = b,
            (_, None) => {}
        }
    }
}

impl<T: Backprop> Backprop for Box<T> {
    fn zero(&self) -> Self {
        Box::new((**self).zero())
    }
    fn add(mut self, rhs: Self) -> Self {
        (*self).add_assign(*rhs);
        self
    }
    fn one(&self) -> Self {
        Box::new((**self).one())
    }
    fn add_assign(&mut self, rhs: Self) {
        (**self).add_assign(*rhs);
    }
}

/// Union of the keys; values under a shared key are added.
impl<K: Ord + Clone + 'static, V: Backprop> Backprop for BTreeMap<K, V> {
    fn zero(&self) -> Self {
        self.iter().map(|(k, v)| (k.clone(), v.zero())).collect()
    }
    fn add(mut self, rhs: Self) -> Self {
        self.add_assign(rhs);
        self
    }
    fn one(&self) -> Self {
        self.iter().map(|(k, v)| (k.clone(), v.one())).collect()
    }
    fn add_assign(&mut self, rhs: Self) {
        for (k, v) in rhs {
            match self.get_mut(&k) {
                Some(a) => a.add_assign(v),
                None => {
                    self.insert(k, v);
                }
            }
        }
    }
}

/// Union of the keys; values under a shared key are added.
impl<K, V, S> Backprop for HashMap<K, V, S>
where
    K: Eq + Hash + Clone + 'static,
    V: Backprop,
    S: BuildHasher + Clone + 'static,
{
    fn zero(&self) -> Self {
        let mut out = HashMap::with_capacity_and_hasher(self.len(), self.hasher().clone());
        out.extend(self.iter().map(|(k, v)| (k.clone(), v.zero())));
        out
    }
    fn add(mut self, rhs: Self) -> Self {
        self.add_assign(rhs);
        self
    }
    fn one(&self) -> Self {
        let mut out = HashMap::with_capacity_and_hasher(self.len(), self.hasher().clone());
        out.extend(self.iter().map(|(k, v)| (k.clone(), v.one())));
        out
    }
    fn add_assign(&mut self, rhs: Self) {
        for (k, v) in rhs {
            match self.get_mut(&k) {
                Some(a) => a.add_assign(v),
                None => {
                    self.insert(k, v);
                }
            }
        }
    }
}
