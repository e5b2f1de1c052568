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

use crate::tape::{Backward, VarId};
use crate::{BVar, Backprop, Conjugate};

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
    pullback: impl FnOnce(&mut Backward<'_>, VarId<T>, VarId<T>, &T, T) + 'static,
) -> BVar<'t, T> {
    let (a, b) = (x.id(), y.id());
    let requires_grad = x.requires_grad() || y.requires_grad();
    x.tape().record(value, requires_grad, move |ctx, out, dy| {
        pullback(ctx, a, b, out, dy)
    })
}

/// Gives `dy` to `a` and `dy_b(dy)` to `b`, cloning `dy` only when both need it.
fn fan_out<T: Backprop>(
    ctx: &mut Backward<'_>,
    a: VarId<T>,
    b: VarId<T>,
    dy: T,
    dy_b: impl FnOnce(T) -> T,
) {
    match (ctx.wants(a), ctx.wants(b)) {
        (true, true) => {
            ctx.add(b, dy_b(dy.clone()));
            ctx.add(a, dy);
        }
        (true, false) => ctx.add(a, dy),
        (false, true) => ctx.add(b, dy_b(dy)),
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
        binary(self, rhs, value, |ctx, a, b, _, dy| {
            fan_out(ctx, a, b, dy, |d| d)
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
        binary(self, rhs, value, |ctx, a, b, _, dy| {
            fan_out(ctx, a, b, dy, |d| d.neg_ref())
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
        binary(self, rhs, value, |ctx, a, b, _, dy| {
            let (x, y) = (ctx.value(a), ctx.value(b));
            if ctx.wants(b) {
                ctx.add(b, times_conj(&dy, x));
            }
            if ctx.wants(a) {
                ctx.add(a, times_conj(&dy, y));
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
        binary(self, rhs, value, |ctx, a, b, out, dy| {
            let y = ctx.value(b);
            if ctx.wants(b) {
                ctx.add(b, over_conj(&times_conj(&dy, out), y).neg_ref());
            }
            if ctx.wants(a) {
                ctx.add(a, over_conj(&dy, y));
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
        self.tape().record(
            self.value().neg_ref(),
            self.requires_grad(),
            move |ctx, _, dy| ctx.add(id, dy.neg_ref()),
        )
    }
}

/// `a ∘ conj(b)`: `a ∘ b` for real types, without a copy.
fn times_conj<T: Conjugate + RefMul>(a: &T, b: &T) -> T {
    a.mul_ref(&b.conj())
}

/// `a / conj(b)`: `a / b` for real types, without a copy.
fn over_conj<T: Conjugate + RefDiv>(a: &T, b: &T) -> T {
    a.div_ref(&b.conj())
}

/// Records a one-input operation `x ↦ value` with pullback `dy ↦ x̄`.
fn unary<'t, T: Backprop>(
    x: BVar<'t, T>,
    value: T,
    pullback: impl FnOnce(T, &T) -> T + 'static,
) -> BVar<'t, T> {
    let id = x.id();
    x.tape()
        .record(value, x.requires_grad(), move |ctx, out, dy| {
            ctx.add(id, pullback(dy, out))
        })
}

impl<'t, T> Add<T> for BVar<'t, T>
where
    T: Backprop,
    T: RefAdd,
{
    type Output = Self;
    #[track_caller]
    fn add(self, c: T) -> Self {
        let value = self.value().add_ref(&c);
        unary(self, value, |dy, _| dy)
    }
}

impl<'t, T> Sub<T> for BVar<'t, T>
where
    T: Backprop,
    T: RefSub,
{
    type Output = Self;
    #[track_caller]
    fn sub(self, c: T) -> Self {
        let value = self.value().sub_ref(&c);
        unary(self, value, |dy, _| dy)
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
        let value = self.value().mul_ref(&c);
        unary(self, value, move |dy, _| times_conj(&dy, &c))
    }
}

impl<'t, T> Div<T> for BVar<'t, T>
where
    T: Conjugate,
    T: RefDiv,
{
    type Output = Self;
    #[track_caller]
    fn div(self, c: T) -> Self {
        let value = self.value().div_ref(&c);
        unary(self, value, move |dy, _| over_conj(&dy, &c))
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
                unary(x, self - x.value(), |dy, _| -dy)
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
            #[allow(clippy::suspicious_arithmetic_impl)]
            fn div(self, x: BVar<'t, $t>) -> BVar<'t, $t> {
                let v = *x.value();
                unary(x, self / v, move |dy, out| -dy * out / v)
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
