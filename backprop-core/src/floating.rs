//! Elementary functions on [`BVar`]s, through one trait: [`Floating`].
//!
//! A type implements [`Floating`] by saying how to map a function over its elements (a scalar
//! has one element; a vector or matrix applies it element-wise, as hmatrix's `Floating`
//! instances do). Every function and its derivative is then written once, here, on the element
//! type ([`Elementary`]: `f32`, `f64`, `Complex<f32>`, `Complex<f64>`), and serves every such
//! type. For complex elements the gradient is `x̄ = ȳ·conj(f'(x))`, the conjugate Wirtinger
//! convention of [`Conjugate`](crate::Conjugate); `abs`, `signum` and `logistic` are for real elements only.
//!
//! | function | derivative used in the backward pass (y = f(x)) |
//! |---|---|
//! | `exp` | y |
//! | `ln` | 1/x |
//! | `sqrt` | 1/(2y) |
//! | `sin`, `cos`, `tan` | cos x, −sin x, 1 + y² |
//! | `sinh`, `cosh`, `tanh` | cosh x, sinh x, 1 − y² |
//! | `asin`, `acos`, `atan` | 1/√(1−x²), −1/√(1−x²), 1/(1+x²) |
//! | `powf(x, p)` | ∂x: p·x^(p−1), ∂p: y·ln x (0 where x = 0) |
//! | `powi(x, n)` | n·x^(n−1) |
//! | `abs` | sign x (0 at 0) |
//! | `signum` | 0 (and sign 0 = 0) |
//! | `recip` | −y² |
//! | `logistic` | y(1 − y) |

use num_complex::Complex;
use num_traits::{Float, One};

use crate::{BVar, Backprop, Conjugate, RefAdd, RefDiv, RefMul, RefNeg, RefSub, Val};

/// The element types elementary functions are defined on: `f32`, `f64` and their complex
/// counterparts. Derivatives are written once over this trait.
pub trait Elementary: num_traits::Num + Copy + std::ops::Neg<Output = Self> + 'static {
    /// eˣ.
    fn exp(self) -> Self;
    /// Natural logarithm (principal branch for complex).
    fn ln(self) -> Self;
    /// Square root (principal branch for complex).
    fn sqrt(self) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// xᵖ.
    fn powf(self, p: Self) -> Self;
    /// xⁿ.
    fn powi(self, n: i32) -> Self;
    /// The complex conjugate (the identity for reals).
    fn conj(self) -> Self;
    /// `n` as an element.
    fn from_i32(n: i32) -> Self;
}

macro_rules! impl_elementary_real {
    ($($t:ty),*) => {$(
        impl Elementary for $t {
            fn exp(self) -> Self { <$t>::exp(self) }
            fn ln(self) -> Self { <$t>::ln(self) }
            fn sqrt(self) -> Self { <$t>::sqrt(self) }
            fn sin(self) -> Self { <$t>::sin(self) }
            fn cos(self) -> Self { <$t>::cos(self) }
            fn tan(self) -> Self { <$t>::tan(self) }
            fn sinh(self) -> Self { <$t>::sinh(self) }
            fn cosh(self) -> Self { <$t>::cosh(self) }
            fn tanh(self) -> Self { <$t>::tanh(self) }
            fn asin(self) -> Self { <$t>::asin(self) }
            fn acos(self) -> Self { <$t>::acos(self) }
            fn atan(self) -> Self { <$t>::atan(self) }
            fn powf(self, p: Self) -> Self { <$t>::powf(self, p) }
            fn powi(self, n: i32) -> Self { <$t>::powi(self, n) }
            fn conj(self) -> Self { self }
            fn from_i32(n: i32) -> Self { n as $t }
        }
    )*};
}

impl_elementary_real!(f32, f64);

impl<T: Float + 'static> Elementary for Complex<T> {
    fn exp(self) -> Self {
        Complex::exp(self)
    }
    fn ln(self) -> Self {
        Complex::ln(self)
    }
    fn sqrt(self) -> Self {
        Complex::sqrt(self)
    }
    fn sin(self) -> Self {
        Complex::sin(self)
    }
    fn cos(self) -> Self {
        Complex::cos(self)
    }
    fn tan(self) -> Self {
        Complex::tan(self)
    }
    fn sinh(self) -> Self {
        Complex::sinh(self)
    }
    fn cosh(self) -> Self {
        Complex::cosh(self)
    }
    fn tanh(self) -> Self {
        Complex::tanh(self)
    }
    fn asin(self) -> Self {
        Complex::asin(self)
    }
    fn acos(self) -> Self {
        Complex::acos(self)
    }
    fn atan(self) -> Self {
        Complex::atan(self)
    }
    fn powf(self, p: Self) -> Self {
        Complex::powc(self, p)
    }
    fn powi(self, n: i32) -> Self {
        Complex::powi(&self, n)
    }
    fn conj(self) -> Self {
        Complex::conj(&self)
    }
    fn from_i32(n: i32) -> Self {
        Complex::new(T::from(n).expect("an i32 fits any float"), T::zero())
    }
}

/// Types whose elements elementary functions act on, element-wise.
///
/// ```
/// use backprop_core::{grad_bp, Floating};
/// // Implemented for f32, f64 and complex scalars here; backprop-linalg implements it for
/// // vectors and matrices.
/// assert_eq!(2.0f64.map(|x| x * x), 4.0);
/// assert_eq!(grad_bp(|x| x.exp(), &0.0), 1.0);
/// ```
pub trait Floating: Backprop + Conjugate + RefAdd + RefSub + RefMul + RefDiv + RefNeg {
    /// The element type.
    type Elem: Elementary;

    /// `f` applied to every element.
    fn map(&self, f: impl Fn(Self::Elem) -> Self::Elem) -> Self;

    /// `f` applied to corresponding elements of `self` and `other`.
    ///
    /// # Panics
    /// If the shapes differ.
    fn zip_map(&self, other: &Self, f: impl Fn(Self::Elem, Self::Elem) -> Self::Elem) -> Self;

    /// `self ← f(self, other)` on corresponding elements, in place: what a backward pass uses to
    /// turn an owned cotangent into an input gradient without allocating. The default goes
    /// through [`zip_map`](Floating::zip_map); types with storage override it.
    ///
    /// # Panics
    /// If the shapes differ.
    fn zip_apply(&mut self, other: &Self, f: impl Fn(Self::Elem, Self::Elem) -> Self::Elem) {
        *self = self.zip_map(other, f);
    }

    /// `f` applied to corresponding elements of three values of the same shape.
    ///
    /// # Panics
    /// If the shapes differ.
    fn zip_map3(
        &self,
        b: &Self,
        c: &Self,
        f: impl Fn(Self::Elem, Self::Elem, Self::Elem) -> Self::Elem,
    ) -> Self;
}

macro_rules! impl_floating_scalar {
    ($($t:ty),*) => {$(
        impl Floating for $t {
            type Elem = $t;
            #[inline]
            fn map(&self, f: impl Fn($t) -> $t) -> $t {
                f(*self)
            }
            #[inline]
            fn zip_map(&self, other: &$t, f: impl Fn($t, $t) -> $t) -> $t {
                f(*self, *other)
            }
            #[inline]
            fn zip_map3(&self, b: &$t, c: &$t, f: impl Fn($t, $t, $t) -> $t) -> $t {
                f(*self, *b, *c)
            }
        }
    )*};
}

impl_floating_scalar!(f32, f64);

/// Complex numbers over any real float (`Complex<f32>`, `Complex<f64>`), so code generic over
/// the precision gets them too.
impl<T: Float + Backprop + 'static> Floating for Complex<T> {
    type Elem = Complex<T>;
    #[inline]
    fn map(&self, f: impl Fn(Self) -> Self) -> Self {
        f(*self)
    }
    #[inline]
    fn zip_map(&self, other: &Self, f: impl Fn(Self, Self) -> Self) -> Self {
        f(*self, *other)
    }
    #[inline]
    fn zip_map3(&self, b: &Self, c: &Self, f: impl Fn(Self, Self, Self) -> Self) -> Self {
        f(*self, *b, *c)
    }
}

/// The logistic function 1/(1 + e⁻ˣ).
///
/// Accurate to a few units of rounding in relative terms wherever the value is a normal number,
/// and without a branch on the sign of x: below about −709 (`f64`; −88 in `f32`) e⁻ˣ
/// overflows to +∞ and the result is 0, where the true value is subnormal; for large x it is 1.
/// A branch on the sign (the form `eˣ/(1 + eˣ)` for x < 0) gains only those subnormals and
/// mispredicts on every other entry of a layer whose pre-activations have random signs.
#[inline]
pub fn logistic<R: Float>(x: R) -> R {
    R::one() / (R::one() + (-x).exp())
}

/// The sign of `x` with sign(0) = 0 (and NaN for NaN), the convention of every subgradient in
/// this project.
#[inline]
pub fn sign<R: Float>(x: R) -> R {
    if x > R::zero() {
        R::one()
    } else if x < R::zero() {
        -R::one()
    } else {
        x * R::zero()
    }
}

/// Quantities an elementary function's derivative is written over: an element (a first-order
/// backward pass computes `f'` entry by entry, fused with the product by `ȳ`), a tape variable
/// of a [`Floating`] type (a recorded backward pass, where `f'` is itself differentiated), and
/// a [`Val`] of either. Each derivative below is written once, over this trait.
pub(crate) trait Calculus:
    Clone
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
    /// The element type.
    type Elem: Elementary;
    /// The constant `c` in every entry, shaped like `self`.
    fn konst(&self, c: Self::Elem) -> Self;
    /// `f` applied to every entry.
    fn apply<F: Function<Self::Elem>>(self, f: F) -> Self;
}

impl<E: Elementary> Calculus for E {
    type Elem = E;
    #[inline]
    fn konst(&self, c: E) -> E {
        c
    }
    #[inline]
    fn apply<F: Function<E>>(self, f: F) -> E {
        f.value(self)
    }
}

impl<'t, T: Floating> Calculus for BVar<'t, T> {
    type Elem = T::Elem;
    fn konst(&self, c: T::Elem) -> Self {
        self.tape().constant(self.value().map(|_| c))
    }
    fn apply<F: Function<T::Elem>>(self, f: F) -> Self {
        elementwise(self, f)
    }
}

impl<'v, T: Floating> Calculus for Val<'v, T> {
    type Elem = T::Elem;
    fn konst(&self, c: T::Elem) -> Self {
        match self {
            Val::Var(x) => Val::Var(x.konst(c)),
            _ => Val::Own(self.get().map(|_| c)),
        }
    }
    fn apply<F: Function<T::Elem>>(self, f: F) -> Self {
        self.map(|x| x.map(|e| f.value(e)), |x| elementwise(x, f))
    }
}

/// An elementary function on elements of type `E`, stated once: its value, and its derivative
/// as a function of its input or of its output, over any [`Calculus`] quantity.
pub(crate) trait Function<E: Elementary>: Copy + 'static {
    /// Whether [`derivative`](Function::derivative) takes the output `y` (else the input `x`).
    const FROM_OUTPUT: bool;
    /// `f(x)`.
    fn value(self, x: E) -> E;
    /// `f'`, given `y` or `x` as [`FROM_OUTPUT`](Function::FROM_OUTPUT) says.
    fn derivative<N: Calculus<Elem = E>>(self, arg: N) -> N;
}

/// Declares elementary functions: `Name(params) [input|output] |x| value, |a| derivative`.
macro_rules! functions {
    ($($(#[$doc:meta])* $name:ident [$($bound:tt)*] $from:ident
        |$s:ident, $x:ident| $value:expr, |$a:ident| $deriv:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub(crate) struct $name;
        functions!(@impl $name [$($bound)*] $from |$s, $x| $value, |$a| $deriv);
    )*};
    (@impl $name:ty [$($bound:tt)*] $from:ident
        |$s:ident, $x:ident| $value:expr, |$a:ident| $deriv:expr) => {
        impl<E: Elementary $($bound)*> Function<E> for $name {
            const FROM_OUTPUT: bool = functions!(@from $from);
            #[inline]
            #[allow(unused_variables)]
            fn value(self, $x: E) -> E {
                let $s = self;
                $value
            }
            #[inline]
            #[allow(unused_variables)]
            fn derivative<N: Calculus<Elem = E>>(self, $a: N) -> N {
                let $s = self;
                $deriv
            }
        }
    };
    (@from input) => { false };
    (@from output) => { true };
}

functions! {
    /// eˣ; derivative y.
    Exp [] output |s, x| Elementary::exp(x), |y| y;
    /// ln x; derivative 1/x.
    Ln [] input |s, x| Elementary::ln(x), |x| x.konst(E::one()) / x;
    /// √x; derivative 1/(2y).
    Sqrt [] output |s, x| Elementary::sqrt(x), |y| y.konst(E::one()) / (y.clone() + y);
    /// sin x; derivative cos x.
    Sin [] input |s, x| Elementary::sin(x), |x| x.apply(Cos);
    /// cos x; derivative −sin x.
    Cos [] input |s, x| Elementary::cos(x), |x| -x.apply(Sin);
    /// tan x; derivative 1 + y².
    Tan [] output |s, x| Elementary::tan(x), |y| y.konst(E::one()) + y.clone() * y;
    /// sinh x; derivative cosh x.
    Sinh [] input |s, x| Elementary::sinh(x), |x| x.apply(Cosh);
    /// cosh x; derivative sinh x.
    Cosh [] input |s, x| Elementary::cosh(x), |x| x.apply(Sinh);
    /// tanh x; derivative 1 − y².
    Tanh [] output |s, x| Elementary::tanh(x), |y| y.konst(E::one()) - y.clone() * y;
    /// arcsin x; derivative 1/√(1 − x²).
    Asin [] input |s, x| Elementary::asin(x), |x| x.konst(E::one()) / (x.konst(E::one()) - x.clone() * x).apply(Sqrt);
    /// arccos x; derivative −1/√(1 − x²).
    Acos [] input |s, x| Elementary::acos(x), |x| -(x.konst(E::one()) / (x.konst(E::one()) - x.clone() * x).apply(Sqrt));
    /// arctan x; derivative 1/(1 + x²).
    Atan [] input |s, x| Elementary::atan(x), |x| x.konst(E::one()) / (x.konst(E::one()) + x.clone() * x);
    /// 1/x; derivative −y².
    Recip [] output |s, x| E::one() / x, |y| -(y.clone() * y);
    /// ln x, and 0 at 0 (the factor of ∂p in xᵖ); derivative 1/x, and 0 at 0.
    LnOrZero [] input |s, x| if x == E::zero() { E::zero() } else { Elementary::ln(x) }, |x| x.apply(RecipOrZero);
    /// 1/x, and 0 at 0; derivative −1/x², and 0 at 0.
    RecipOrZero [] input |s, x| if x == E::zero() { E::zero() } else { E::one() / x }, |x| { let r = x.apply(RecipOrZero); -(r.clone() * r) };
    /// |x|; derivative sign x (0 at 0).
    Abs [+ Float] input |s, x| Float::abs(x), |x| x.apply(Sign);
    /// sign x (sign 0 = 0); derivative 0.
    Sign [+ Float] input |s, x| sign(x), |x| x.konst(E::zero());
    /// 1/(1 + e⁻ˣ); derivative y(1 − y).
    Logistic [+ Float] output |s, x| logistic(x), |y| y.clone() * (y.konst(E::one()) - y);
}

/// xⁿ; derivative n·xⁿ⁻¹.
#[derive(Clone, Copy)]
pub(crate) struct Powi {
    n: i32,
}
functions!(@impl Powi [] input |s, x| Elementary::powi(x, s.n),
    |x| x.konst(E::from_i32(s.n)) * x.apply(Powi { n: s.n - 1 }));

/// xᵖ for a constant p; derivative p·xᵖ⁻¹.
#[derive(Clone, Copy)]
pub(crate) struct PowfScalar<E> {
    p: E,
}
functions!(@impl PowfScalar<E> [] input |s, x| Elementary::powf(x, s.p),
    |x| x.konst(s.p) * x.apply(PowfScalar { p: s.p - E::one() }));

/// Records `y = f(x)` element-wise, with `x̄ = ȳ ∘ conj(f')` element-wise (the conjugate is the
/// identity for real elements). In a first-order pass `f'` is computed entry by entry, fused
/// with the product; recorded, it is computed on the variable, so it is differentiated too.
fn elementwise<'t, T: Floating, F: Function<T::Elem>>(x: BVar<'t, T>, f: F) -> BVar<'t, T> {
    let y = x.value().map(|e| f.value(e));
    let id = x.id();
    x.tape()
        .record_rule(y, x.requires_grad(), move |cx, y, dy| {
            let arg = if F::FROM_OUTPUT { y } else { cx.value(id) };
            let dx = match (dy.plain(), arg.plain()) {
                (Ok(dy), Ok(arg)) => {
                    let mut dx = dy.into_owned();
                    dx.zip_apply(&arg, |dy, a| dy * f.derivative(a).conj());
                    Val::Own(dx)
                }
                (dy, arg) => {
                    let (dy, arg) = (val(dy), val(arg));
                    dy * f.derivative(arg).conj()
                }
            };
            cx.add(id, dx);
        })
}

/// A quantity back from [`Val::plain`].
fn val<'v, T: Backprop>(plain: Result<std::borrow::Cow<'v, T>, BVar<'v, T>>) -> Val<'v, T> {
    match plain {
        Ok(std::borrow::Cow::Borrowed(r)) => Val::Ref(r),
        Ok(std::borrow::Cow::Owned(t)) => Val::Own(t),
        Err(x) => Val::Var(x),
    }
}

/// The element-wise functions, as methods of a type of quantities (`BVar` and `Val`), each
/// applying its [`Function`] with `$apply`.
macro_rules! elementary_methods {
    ($apply:path) => {
        /// eˣ element-wise; derivative y.
        pub fn exp(self) -> Self {
            $apply(self, Exp)
        }

        /// Natural logarithm element-wise; derivative 1/x.
        pub fn ln(self) -> Self {
            $apply(self, Ln)
        }

        /// Square root element-wise; derivative 1/(2y) (infinite at 0).
        pub fn sqrt(self) -> Self {
            $apply(self, Sqrt)
        }

        /// Sine element-wise; derivative cos x.
        pub fn sin(self) -> Self {
            $apply(self, Sin)
        }

        /// Cosine element-wise; derivative −sin x.
        pub fn cos(self) -> Self {
            $apply(self, Cos)
        }

        /// Tangent element-wise; derivative 1 + y².
        pub fn tan(self) -> Self {
            $apply(self, Tan)
        }

        /// Hyperbolic sine element-wise; derivative cosh x.
        pub fn sinh(self) -> Self {
            $apply(self, Sinh)
        }

        /// Hyperbolic cosine element-wise; derivative sinh x.
        pub fn cosh(self) -> Self {
            $apply(self, Cosh)
        }

        /// Hyperbolic tangent element-wise; derivative 1 − y².
        pub fn tanh(self) -> Self {
            $apply(self, Tanh)
        }

        /// Arcsine element-wise; derivative 1/√(1 − x²).
        pub fn asin(self) -> Self {
            $apply(self, Asin)
        }

        /// Arccosine element-wise; derivative −1/√(1 − x²).
        pub fn acos(self) -> Self {
            $apply(self, Acos)
        }

        /// Arctangent element-wise; derivative 1/(1 + x²).
        pub fn atan(self) -> Self {
            $apply(self, Atan)
        }

        /// 1/x element-wise; derivative −y².
        pub fn recip(self) -> Self {
            $apply(self, Recip)
        }

        /// xⁿ element-wise for an integer n; derivative n·xⁿ⁻¹.
        pub fn powi(self, n: i32) -> Self {
            $apply(self, Powi { n })
        }

        /// xᵖ element-wise for a constant p; derivative p·xᵖ⁻¹.
        pub fn powf_scalar(self, p: T::Elem) -> Self {
            $apply(self, PowfScalar { p })
        }
    };
    (real $apply:path) => {
        /// Absolute value element-wise; derivative sign x, with sign 0 = 0.
        pub fn abs(self) -> Self {
            $apply(self, Abs)
        }

        /// Sign element-wise (−1, 0 or 1: sign 0 = 0, unlike `f64::signum`); derivative 0.
        pub fn signum(self) -> Self {
            $apply(self, Sign)
        }

        /// The logistic function 1/(1 + e⁻ˣ) element-wise; derivative y(1 − y).
        pub fn logistic(self) -> Self {
            $apply(self, Logistic)
        }
    };
}

/// The element-wise functions of a quantity in a rule (see [`Val`]): on plain values they are
/// computed, on variables recorded, so a rule that uses them is differentiable again.
impl<'v, T: Floating> Val<'v, T> {
    elementary_methods!(Calculus::apply);
}

/// The element-wise functions of real quantities in a rule.
impl<'v, T> Val<'v, T>
where
    T: Floating,
    T::Elem: Float,
{
    elementary_methods!(real Calculus::apply);
}

impl<'t, T: Floating> BVar<'t, T> {
    elementary_methods!(elementwise);

    /// xᵖ element-wise, both differentiated: ∂x = p·xᵖ⁻¹, ∂p = y·ln x (taken as 0 where x = 0,
    /// its limit for p > 0). Operands of different shapes (possible for run-time sizes) panic at
    /// the caller's line.
    #[track_caller]
    pub fn powf(self, p: Self) -> Self {
        let y = self.value().zip_map(p.value(), Elementary::powf);
        let (xi, pi) = (self.id(), p.id());
        let requires_grad = self.requires_grad() || p.requires_grad();
        self.tape().record_rule(y, requires_grad, move |cx, y, dy| {
            let (x, p) = (cx.value(xi), cx.value(pi));
            if cx.wants(pi) {
                let dp = y * x.clone().apply(LnOrZero);
                cx.add(pi, dy.clone() * dp.conj());
            }
            if cx.wants(xi) {
                let one = p.konst(T::Elem::one());
                let dx =
                    p.clone() * x.zip(p - one, |x, q| x.zip_map(&q, Elementary::powf), BVar::powf);
                cx.add(xi, dy * dx.conj());
            }
        })
    }
}

/// The functions defined for real elements only.
impl<'t, T> BVar<'t, T>
where
    T: Floating,
    T::Elem: Float,
{
    elementary_methods!(real elementwise);
}
