//! `+ - * /` and unary `-` on [`BVar`]s, with each other and with constants.
//!
//! `BVar<'t, T>` has an operator whenever `&T` does (`&T + &T -> T`, ...), so the same
//! operators serve scalars and, element-wise, the linear-algebra types. The requirement is
//! spelled as the traits [`RefAdd`], [`RefSub`], [`RefMul`], [`RefDiv`] and [`RefNeg`]
//! (implemented for every such `T`), so a bound on a generic scalar can carry it. Gradients,
//! with `ȳ` the output cotangent:
//!
//! | op | x̄ | ȳ' |
//! |---|---|---|
//! | `x + y` | ȳ | ȳ |
//! | `x - y` | ȳ | −ȳ |
//! | `x * y` | ȳ ∘ y | ȳ ∘ x |
//! | `x / y` | ȳ / y | −ȳ ∘ (x / y) / y |
//! | `-x` | −ȳ | |
//!
//! A constant operand (`x * 2.0`, `2.0 * x`) gets no gradient. The operators are
//! `#[track_caller]`: an operand mismatch that `&T + &T` reports by panicking (two run-time sized
//! matrices of different shapes) names the line of the `+`. For complex values the other
//! operand is conjugated in `*` and `/` (`x̄ = ȳ ∘ conj(y)`, ...), the conjugate Wirtinger
//! convention of [`Conjugate`].

use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::tape::VarId;
use crate::{BVar, Backprop, Conjugate, Pull, Val};

/// Declares a by-reference operator trait, blanket-implemented for every type whose references
/// have the operator.
macro_rules! ref_op {
    ($(#[$doc:meta])* $name:ident, $method:ident, $op:ident, |$a:ident, $b:ident| $e:expr) => {
        $(#[$doc])*
        pub trait $name: Sized {
            /// The operator on references.
            fn $method(&self, rhs: &Self) -> Self;
        }
        impl<T> $name for T
        where
            for<'a> &'a T: $op<&'a T, Output = T>,
        {
            #[inline]
            #[track_caller]
            fn $method(&self, rhs: &Self) -> Self {
                let ($a, $b) = (self, rhs);
                $e
            }
        }
    };
}

ref_op!(
    /// `&a + &b`: what `BVar<T> + BVar<T>` needs of `T`. Implemented for every `T` with
    /// `&T + &T -> T`; a named trait, so that a bound on a scalar type (backprop-linalg's
    /// `Real`) can carry it and code generic over the scalar gets the operator.
    RefAdd, add_ref, Add, |a, b| a + b
);
ref_op!(
    /// `&a − &b`: what `BVar<T> − BVar<T>` needs of `T` (see [`RefAdd`]).
    RefSub, sub_ref, Sub, |a, b| a - b
);
ref_op!(
    /// `&a * &b`: what `BVar<T> * BVar<T>` needs of `T` (see [`RefAdd`]).
    RefMul, mul_ref, Mul, |a, b| a * b
);
ref_op!(
    /// `&a / &b`: what `BVar<T> / BVar<T>` needs of `T` (see [`RefAdd`]).
    RefDiv, div_ref, Div, |a, b| a / b
);

/// `−&a`: what `−BVar<T>` needs of `T` (see [`RefAdd`]).
pub trait RefNeg: Sized {
    /// The negation of a reference.
    fn neg_ref(&self) -> Self;
}
impl<T> RefNeg for T
where
    for<'a> &'a T: Neg<Output = T>,
{
    #[inline]
    fn neg_ref(&self) -> Self {
        -self
    }
}

/// Records a two-input operation whose inputs share type `T`.
fn binary<'t, T: Backprop>(
    x: BVar<'t, T>,
    y: BVar<'t, T>,
    value: T,
    rule: impl for<'p, 'v> Fn(&mut Pull<'p, 'v>, VarId<T>, VarId<T>, Val<'v, T>, Val<'v, T>) + 'static,
) -> BVar<'t, T> {
    let (a, b) = (x.id(), y.id());
    let requires_grad = x.requires_grad() || y.requires_grad();
    x.tape()
        .record_rule(value, requires_grad, move |cx, out, dy| {
            rule(cx, a, b, out, dy)
        })
}

/// Gives `dy` to `a` and `dy_b(dy)` to `b`, cloning `dy` only when both need it.
fn fan_out<'v, T: Backprop>(
    cx: &mut Pull<'_, 'v>,
    a: VarId<T>,
    b: VarId<T>,
    dy: Val<'v, T>,
    dy_b: impl FnOnce(Val<'v, T>) -> Val<'v, T>,
) {
    match (cx.wants(a), cx.wants(b)) {
        (true, true) => {
            cx.add(b, dy_b(dy.clone()));
            cx.add(a, dy);
        }
        (true, false) => cx.add(a, dy),
        (false, true) => cx.add(b, dy_b(dy)),
        (false, false) => {}
    }
}

impl<'t, T> Add for BVar<'t, T>
where
    T: Backprop,
    T: RefAdd,
{
    type Output = Self;
    #[track_caller]
    fn add(self, rhs: Self) -> Self {
        let value = self.value().add_ref(rhs.value());
        binary(self, rhs, value, |cx, a, b, _, dy| {
            fan_out(cx, a, b, dy, |d| d)
        })
    }
}

impl<'t, T> Sub for BVar<'t, T>
where
    T: Backprop,
    T: RefSub + RefNeg,
{
    type Output = Self;
    #[track_caller]
    fn sub(self, rhs: Self) -> Self {
        let value = self.value().sub_ref(rhs.value());
        binary(self, rhs, value, |cx, a, b, _, dy| {
            fan_out(cx, a, b, dy, |d| -d)
        })
    }
}

impl<'t, T> Mul for BVar<'t, T>
where
    T: Conjugate,
    T: RefMul,
{
    type Output = Self;
    #[track_caller]
    fn mul(self, rhs: Self) -> Self {
        let value = self.value().mul_ref(rhs.value());
        binary(self, rhs, value, |cx, a, b, _, dy| {
            let (x, y) = (cx.value(a), cx.value(b));
            if cx.wants(b) {
                cx.add(b, dy.times(x.conj()));
            }
            if cx.wants(a) {
                cx.add(a, dy * y.conj());
            }
        })
    }
}

impl<'t, T> Div for BVar<'t, T>
where
    T: Conjugate,
    T: RefMul + RefDiv + RefNeg,
{
    type Output = Self;
    // The quotient rule multiplies: ȳ' = −ȳ·(x/y)/y.
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[track_caller]
    fn div(self, rhs: Self) -> Self {
        let value = self.value().div_ref(rhs.value());
        binary(self, rhs, value, |cx, a, b, out, dy| {
            let y = cx.value(b);
            if cx.wants(b) {
                cx.add(b, -(dy.times(out.conj()) / y.clone().conj()));
            }
            if cx.wants(a) {
                cx.add(a, dy / y.conj());
            }
        })
    }
}

impl<'t, T> Neg for BVar<'t, T>
where
    T: Backprop,
    T: RefNeg,
{
    type Output = Self;
    fn neg(self) -> Self {
        let id = self.id();
        self.tape().record_rule(
            self.value().neg_ref(),
            self.requires_grad(),
            move |cx, _, dy| cx.add(id, -dy),
        )
    }
}

// A constant operand is put on the tape (borrowed by no one, moved there), so that the rule of
// `x ∘ c` is the rule of `x ∘ y` with a `y` that wants no gradient: stated once, and differentiable
// again.

impl<'t, T> Add<T> for BVar<'t, T>
where
    T: Backprop,
    T: RefAdd,
{
    type Output = Self;
    #[track_caller]
    fn add(self, c: T) -> Self {
        self + self.tape().constant(c)
    }
}

impl<'t, T> Sub<T> for BVar<'t, T>
where
    T: Backprop,
    T: RefSub + RefNeg,
{
    type Output = Self;
    #[track_caller]
    fn sub(self, c: T) -> Self {
        self - self.tape().constant(c)
    }
}

impl<'t, T> Mul<T> for BVar<'t, T>
where
    T: Conjugate,
    T: RefMul,
{
    type Output = Self;
    #[track_caller]
    fn mul(self, c: T) -> Self {
        self * self.tape().constant(c)
    }
}

impl<'t, T> Div<T> for BVar<'t, T>
where
    T: Conjugate,
    T: RefMul + RefDiv + RefNeg,
{
    type Output = Self;
    #[track_caller]
    fn div(self, c: T) -> Self {
        self / self.tape().constant(c)
    }
}

macro_rules! impl_scalar_lhs {
    ($($t:ty),*) => {$(
        impl<'t> Add<BVar<'t, $t>> for $t {
            type Output = BVar<'t, $t>;
            fn add(self, x: BVar<'t, $t>) -> BVar<'t, $t> {
                x + self
            }
        }
        impl<'t> Sub<BVar<'t, $t>> for $t {
            type Output = BVar<'t, $t>;
            fn sub(self, x: BVar<'t, $t>) -> BVar<'t, $t> {
                x.tape().constant(self) - x
            }
        }
        impl<'t> Mul<BVar<'t, $t>> for $t {
            type Output = BVar<'t, $t>;
            fn mul(self, x: BVar<'t, $t>) -> BVar<'t, $t> {
                x * self
            }
        }
        impl<'t> Div<BVar<'t, $t>> for $t {
            type Output = BVar<'t, $t>;
            /// `c / x`, with x̄ = −ȳ · (c / x) / x.
            fn div(self, x: BVar<'t, $t>) -> BVar<'t, $t> {
                x.tape().constant(self) / x
            }
        }
    )*};
}

impl_scalar_lhs!(f32, f64);

impl<'t, T, Rhs> AddAssign<Rhs> for BVar<'t, T>
where
    BVar<'t, T>: Add<Rhs, Output = BVar<'t, T>>,
{
    #[track_caller]
    fn add_assign(&mut self, rhs: Rhs) {
        *self = *self + rhs;
    }
}

impl<'t, T, Rhs> SubAssign<Rhs> for BVar<'t, T>
where
    BVar<'t, T>: Sub<Rhs, Output = BVar<'t, T>>,
{
    #[track_caller]
    fn sub_assign(&mut self, rhs: Rhs) {
        *self = *self - rhs;
    }
}

impl<'t, T, Rhs> MulAssign<Rhs> for BVar<'t, T>
where
    BVar<'t, T>: Mul<Rhs, Output = BVar<'t, T>>,
{
    #[track_caller]
    fn mul_assign(&mut self, rhs: Rhs) {
        *self = *self * rhs;
    }
}

impl<'t, T, Rhs> DivAssign<Rhs> for BVar<'t, T>
where
    BVar<'t, T>: Div<Rhs, Output = BVar<'t, T>>,
{
    #[track_caller]
    fn div_assign(&mut self, rhs: Rhs) {
        *self = *self / rhs;
    }
}
