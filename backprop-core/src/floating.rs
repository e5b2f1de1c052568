//! Elementary functions on [`BVar`]s, through one trait: [`Floating`].
//!
//! A type implements [`Floating`] by saying how to map a real function over its elements
//! (a scalar has one element; a vector or matrix applies it element-wise, as hmatrix's
//! `Floating` instances do). Every function and its derivative is then written once, here, on
//! the scalar, and serves every such type.
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

use num_traits::{Float, NumCast, One, Zero};

use crate::{BVar, Backprop};

/// Types made of real numbers that elementary functions act on element-wise.
///
/// ```
/// use backprop_core::{grad_bp, Floating};
/// // Implemented for f32 and f64 here; backprop-linalg implements it for vectors and matrices.
/// assert_eq!(2.0f64.map(|x| x * x), 4.0);
/// assert_eq!(grad_bp(|x| x.exp(), &0.0), 1.0);
/// ```
pub trait Floating: Backprop {
    /// The element type.
    type Real: Float + 'static;

    /// `f` applied to every element.
    fn map(&self, f: impl Fn(Self::Real) -> Self::Real) -> Self;

    /// `f` applied to corresponding elements of `self` and `other`.
    ///
    /// # Panics
    /// If the shapes differ.
    fn zip_map(&self, other: &Self, f: impl Fn(Self::Real, Self::Real) -> Self::Real) -> Self;

    /// `f` applied to corresponding elements of three values of the same shape.
    ///
    /// # Panics
    /// If the shapes differ.
    fn zip_map3(
        &self,
        b: &Self,
        c: &Self,
        f: impl Fn(Self::Real, Self::Real, Self::Real) -> Self::Real,
    ) -> Self;
}

macro_rules! impl_floating_scalar {
    ($($t:ty),*) => {$(
        impl Floating for $t {
            type Real = $t;
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

/// The logistic function 1/(1 + e⁻ˣ), computed without overflow for large |x|.
#[inline]
pub fn logistic<R: Float>(x: R) -> R {
    if x >= R::zero() {
        R::one() / (R::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (R::one() + e)
    }
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

/// Records `y = f(x)` element-wise, with x̄ = ȳ · df(x, y) element-wise.
fn elementwise<'t, T: Floating>(
    x: BVar<'t, T>,
    f: impl Fn(T::Real) -> T::Real,
    df: impl Fn(T::Real, T::Real) -> T::Real + 'static,
) -> BVar<'t, T> {
    let y = x.value().map(f);
    let id = x.id();
    x.tape().record(y, x.requires_grad(), move |ctx, y, dy| {
        let x = ctx.value(id);
        ctx.add(id, x.zip_map3(y, &dy, |x, y, dy| dy * df(x, y)));
    })
}

impl<'t, T: Floating> BVar<'t, T> {
    /// eˣ element-wise; derivative y.
    pub fn exp(self) -> Self {
        elementwise(self, Float::exp, |_, y| y)
    }

    /// Natural logarithm element-wise; derivative 1/x.
    pub fn ln(self) -> Self {
        elementwise(self, Float::ln, |x, _| x.recip())
    }

    /// Square root element-wise; derivative 1/(2y) (infinite at 0).
    pub fn sqrt(self) -> Self {
        elementwise(self, Float::sqrt, |_, y| (y + y).recip())
    }

    /// Sine element-wise; derivative cos x.
    pub fn sin(self) -> Self {
        elementwise(self, Float::sin, |x, _| x.cos())
    }

    /// Cosine element-wise; derivative −sin x.
    pub fn cos(self) -> Self {
        elementwise(self, Float::cos, |x, _| -x.sin())
    }

    /// Tangent element-wise; derivative 1 + y².
    pub fn tan(self) -> Self {
        elementwise(self, Float::tan, |_, y| T::Real::one() + y * y)
    }

    /// Hyperbolic sine element-wise; derivative cosh x.
    pub fn sinh(self) -> Self {
        elementwise(self, Float::sinh, |x, _| x.cosh())
    }

    /// Hyperbolic cosine element-wise; derivative sinh x.
    pub fn cosh(self) -> Self {
        elementwise(self, Float::cosh, |x, _| x.sinh())
    }

    /// Hyperbolic tangent element-wise; derivative 1 − y².
    pub fn tanh(self) -> Self {
        elementwise(self, Float::tanh, |_, y| T::Real::one() - y * y)
    }

    /// Arcsine element-wise; derivative 1/√(1 − x²).
    pub fn asin(self) -> Self {
        elementwise(self, Float::asin, |x, _| {
            (T::Real::one() - x * x).sqrt().recip()
        })
    }

    /// Arccosine element-wise; derivative −1/√(1 − x²).
    pub fn acos(self) -> Self {
        elementwise(self, Float::acos, |x, _| {
            -(T::Real::one() - x * x).sqrt().recip()
        })
    }

    /// Arctangent element-wise; derivative 1/(1 + x²).
    pub fn atan(self) -> Self {
        elementwise(self, Float::atan, |x, _| (T::Real::one() + x * x).recip())
    }

    /// Absolute value element-wise; derivative sign x, with sign 0 = 0.
    pub fn abs(self) -> Self {
        elementwise(self, Float::abs, |x, _| sign(x))
    }

    /// Sign element-wise (−1, 0 or 1: sign 0 = 0, unlike `f64::signum`); derivative 0.
    pub fn signum(self) -> Self {
        elementwise(self, sign, |_, _| T::Real::zero())
    }

    /// 1/x element-wise; derivative −y².
    pub fn recip(self) -> Self {
        elementwise(self, Float::recip, |_, y| -(y * y))
    }

    /// The logistic function 1/(1 + e⁻ˣ) element-wise; derivative y(1 − y).
    pub fn logistic(self) -> Self {
        elementwise(self, logistic, |_, y| y * (T::Real::one() - y))
    }

    /// xⁿ element-wise for an integer n; derivative n·xⁿ⁻¹.
    pub fn powi(self, n: i32) -> Self {
        elementwise(
            self,
            move |x| x.powi(n),
            move |x, _| {
                let n_real = <T::Real as NumCast>::from(n).expect("an i32 fits any float");
                n_real * x.powi(n - 1)
            },
        )
    }

    /// xᵖ element-wise for a constant real p; derivative p·xᵖ⁻¹.
    pub fn powf_scalar(self, p: T::Real) -> Self {
        elementwise(
            self,
            move |x| x.powf(p),
            move |x, _| p * x.powf(p - T::Real::one()),
        )
    }

    /// xᵖ element-wise, both differentiated: ∂x = p·xᵖ⁻¹, ∂p = y·ln x (taken as 0 where x = 0,
    /// its limit for p > 0).
    pub fn powf(self, p: Self) -> Self {
        let y = self.value().zip_map(p.value(), Float::powf);
        let (xi, pi) = (self.id(), p.id());
        let requires_grad = self.requires_grad() || p.requires_grad();
        self.tape().record(y, requires_grad, move |ctx, y, dy| {
            let (x, p) = (ctx.value(xi), ctx.value(pi));
            if ctx.wants(pi) {
                let y_ln_x = y.zip_map(x, |y, x| {
                    if x == T::Real::zero() {
                        T::Real::zero()
                    } else {
                        y * x.ln()
                    }
                });
                ctx.add(pi, y_ln_x.zip_map(&dy, |d, dy| dy * d));
            }
            if ctx.wants(xi) {
                ctx.add(
                    xi,
                    x.zip_map3(p, &dy, |x, p, dy| dy * p * x.powf(p - T::Real::one())),
                );
            }
        })
    }
}
