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
use num_traits::{Float, One, Zero};

use crate::{BVar, Backprop};

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
pub trait Floating: Backprop {
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

/// What an element-wise derivative is computed from: every function here needs either its
/// input or its output, never both, so the backward pass reads two arrays (`ȳ` and one of them).
enum From<F> {
    /// `f'` as a function of the input `x`.
    Input(F),
    /// `f'` as a function of the output `y`.
    Output(F),
}

/// Records `y = f(x)` element-wise, with `x̄ = ȳ · conj(f')` element-wise (the conjugate is the
/// identity for real elements).
fn elementwise<'t, T: Floating>(
    x: BVar<'t, T>,
    f: impl Fn(T::Elem) -> T::Elem,
    df: From<impl Fn(T::Elem) -> T::Elem + 'static>,
) -> BVar<'t, T> {
    let y = x.value().map(f);
    let id = x.id();
    x.tape().record(y, x.requires_grad(), move |ctx, y, dy| {
        let (arg, df) = match df {
            From::Input(df) => (ctx.value(id), df),
            From::Output(df) => (y, df),
        };
        let mut dx = dy;
        dx.zip_apply(arg, |dy, a| dy * df(a).conj());
        ctx.add(id, dx);
    })
}

impl<'t, T: Floating> BVar<'t, T> {
    /// eˣ element-wise; derivative y.
    pub fn exp(self) -> Self {
        elementwise(self, Elementary::exp, From::Output(|y: T::Elem| y))
    }

    /// Natural logarithm element-wise; derivative 1/x.
    pub fn ln(self) -> Self {
        elementwise(
            self,
            Elementary::ln,
            From::Input(|x: T::Elem| T::Elem::one() / x),
        )
    }

    /// Square root element-wise; derivative 1/(2y) (infinite at 0).
    pub fn sqrt(self) -> Self {
        elementwise(
            self,
            Elementary::sqrt,
            From::Output(|y: T::Elem| T::Elem::one() / (y + y)),
        )
    }

    /// Sine element-wise; derivative cos x.
    pub fn sin(self) -> Self {
        elementwise(self, Elementary::sin, From::Input(|x: T::Elem| x.cos()))
    }

    /// Cosine element-wise; derivative −sin x.
    pub fn cos(self) -> Self {
        elementwise(self, Elementary::cos, From::Input(|x: T::Elem| -x.sin()))
    }

    /// Tangent element-wise; derivative 1 + y².
    pub fn tan(self) -> Self {
        elementwise(
            self,
            Elementary::tan,
            From::Output(|y: T::Elem| T::Elem::one() + y * y),
        )
    }

    /// Hyperbolic sine element-wise; derivative cosh x.
    pub fn sinh(self) -> Self {
        elementwise(self, Elementary::sinh, From::Input(|x: T::Elem| x.cosh()))
    }

    /// Hyperbolic cosine element-wise; derivative sinh x.
    pub fn cosh(self) -> Self {
        elementwise(self, Elementary::cosh, From::Input(|x: T::Elem| x.sinh()))
    }

    /// Hyperbolic tangent element-wise; derivative 1 − y².
    pub fn tanh(self) -> Self {
        elementwise(
            self,
            Elementary::tanh,
            From::Output(|y: T::Elem| T::Elem::one() - y * y),
        )
    }

    /// Arcsine element-wise; derivative 1/√(1 − x²).
    pub fn asin(self) -> Self {
        elementwise(
            self,
            Elementary::asin,
            From::Input(|x: T::Elem| T::Elem::one() / (T::Elem::one() - x * x).sqrt()),
        )
    }

    /// Arccosine element-wise; derivative −1/√(1 − x²).
    pub fn acos(self) -> Self {
        elementwise(
            self,
            Elementary::acos,
            From::Input(|x: T::Elem| -(T::Elem::one() / (T::Elem::one() - x * x).sqrt())),
        )
    }

    /// Arctangent element-wise; derivative 1/(1 + x²).
    pub fn atan(self) -> Self {
        elementwise(
            self,
            Elementary::atan,
            From::Input(|x: T::Elem| T::Elem::one() / (T::Elem::one() + x * x)),
        )
    }

    /// 1/x element-wise; derivative −y².
    pub fn recip(self) -> Self {
        elementwise(
            self,
            |x| T::Elem::one() / x,
            From::Output(|y: T::Elem| -(y * y)),
        )
    }

    /// xⁿ element-wise for an integer n; derivative n·xⁿ⁻¹.
    pub fn powi(self, n: i32) -> Self {
        elementwise(
            self,
            move |x| x.powi(n),
            From::Input(move |x: T::Elem| T::Elem::from_i32(n) * x.powi(n - 1)),
        )
    }

    /// xᵖ element-wise for a constant p; derivative p·xᵖ⁻¹.
    pub fn powf_scalar(self, p: T::Elem) -> Self {
        elementwise(
            self,
            move |x| x.powf(p),
            From::Input(move |x: T::Elem| p * x.powf(p - T::Elem::one())),
        )
    }

    /// xᵖ element-wise, both differentiated: ∂x = p·xᵖ⁻¹, ∂p = y·ln x (taken as 0 where x = 0,
    /// its limit for p > 0). Operands of different shapes (possible for run-time sizes) panic at
    /// the caller's line.
    #[track_caller]
    pub fn powf(self, p: Self) -> Self {
        let y = self.value().zip_map(p.value(), Elementary::powf);
        let (xi, pi) = (self.id(), p.id());
        let requires_grad = self.requires_grad() || p.requires_grad();
        self.tape().record(y, requires_grad, move |ctx, y, dy| {
            let (x, p) = (ctx.value(xi), ctx.value(pi));
            if ctx.wants(pi) {
                let y_ln_x = y.zip_map(x, |y, x| {
                    if x == T::Elem::zero() {
                        T::Elem::zero()
                    } else {
                        y * x.ln()
                    }
                });
                ctx.add(pi, y_ln_x.zip_map(&dy, |d, dy| dy * d.conj()));
            }
            if ctx.wants(xi) {
                let grad = x.zip_map3(p, &dy, |x, p, dy| {
                    dy * (p * x.powf(p - T::Elem::one())).conj()
                });
                ctx.add(xi, grad);
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
    /// Absolute value element-wise; derivative sign x, with sign 0 = 0.
    pub fn abs(self) -> Self {
        elementwise(self, Float::abs, From::Input(|x: T::Elem| sign(x)))
    }

    /// Sign element-wise (−1, 0 or 1: sign 0 = 0, unlike `f64::signum`); derivative 0.
    pub fn signum(self) -> Self {
        elementwise(self, sign, From::Input(|_: T::Elem| T::Elem::zero()))
    }

    /// The logistic function 1/(1 + e⁻ˣ) element-wise; derivative y(1 − y).
    pub fn logistic(self) -> Self {
        elementwise(
            self,
            logistic,
            From::Output(|y: T::Elem| y * (T::Elem::one() - y)),
        )
    }
}
