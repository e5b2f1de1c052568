//! The element types a backend stores: [`Scalar`] (real or complex) and [`RealScalar`].

use core::fmt::Debug;
use core::ops::Neg;

use num_complex::Complex;
use num_traits::{Float, NumAssign};

/// An element type of vectors and matrices: `f32`, `f64`, `Complex<f32>` or `Complex<f64>`.
///
/// The method names avoid those of [`num_traits::Float`] and of the backends' own scalar traits
/// (`conj` is the only shared name, and it means the same everywhere), so generic code that has
/// several of these traits in scope can still call them with method syntax.
pub trait Scalar:
    Copy + PartialEq + Debug + Default + Send + Sync + 'static + NumAssign + Neg<Output = Self>
{
    /// The real type underneath: `Self` for reals, `f64` for `Complex<f64>`.
    type Real: RealScalar;

    /// Whether the type is complex (conjugation is not the identity).
    const IS_COMPLEX: bool;

    /// Complex conjugate; the identity for real scalars.
    fn conj(self) -> Self;

    /// Absolute value (modulus |z| for complex numbers).
    fn modulus(self) -> Self::Real;

    /// Real part; the value itself for real scalars.
    fn real_part(self) -> Self::Real;

    /// Imaginary part; zero for real scalars.
    fn imag_part(self) -> Self::Real;

    /// The scalar with real part `re` and imaginary part zero.
    fn from_real(re: Self::Real) -> Self;

    /// Converts an `f64` to the real part of this type (rounding for `f32`).
    fn from_f64(x: f64) -> Self {
        Self::from_real(<Self::Real as RealScalar>::from_f64_real(x))
    }

    /// True when neither part is NaN nor infinite.
    fn finite(self) -> bool;
}

/// A real scalar: `f32` or `f64`. Decompositions ([`crate::Factorize`]) are defined for these.
pub trait RealScalar: Scalar<Real = Self> + PartialOrd + Float {
    /// Converts an `f64`, rounding for `f32`.
    fn from_f64_real(x: f64) -> Self;

    /// Widens to `f64` (exact for both `f32` and `f64`).
    fn to_f64_real(self) -> f64;

    /// Converts a count (a matrix dimension, say) to this type.
    fn from_usize(n: usize) -> Self {
        // Counts in linear algebra are far below 2^53, so the cast is exact in practice.
        #[allow(clippy::cast_precision_loss)]
        Self::from_f64_real(n as f64)
    }
}

macro_rules! impl_real {
    ($t:ty) => {
        impl Scalar for $t {
            type Real = $t;
            const IS_COMPLEX: bool = false;
            #[inline]
            fn conj(self) -> Self {
                self
            }
            #[inline]
            fn modulus(self) -> Self {
                self.abs()
            }
            #[inline]
            fn real_part(self) -> Self {
                self
            }
            #[inline]
            fn imag_part(self) -> Self {
                0.0
            }
            #[inline]
            fn from_real(re: Self) -> Self {
                re
            }
            #[inline]
            fn finite(self) -> bool {
                self.is_finite()
            }
        }
        impl RealScalar for $t {
            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn from_f64_real(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64_real(self) -> f64 {
                f64::from(self)
            }
        }
    };
}
impl_real!(f32);
impl_real!(f64);

impl<T: RealScalar> Scalar for Complex<T> {
    type Real = T;
    const IS_COMPLEX: bool = true;
    #[inline]
    fn conj(self) -> Self {
        Complex::conj(&self)
    }
    #[inline]
    fn modulus(self) -> T {
        self.norm()
    }
    #[inline]
    fn real_part(self) -> T {
        self.re
    }
    #[inline]
    fn imag_part(self) -> T {
        self.im
    }
    #[inline]
    fn from_real(re: T) -> Self {
        Complex::new(re, T::zero())
    }
    #[inline]
    fn finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
}

/// The working precision a backend marker selects: `Faer` (that is, `Faer<f64>`) or
/// `Faer<f32>`. `backprop-linalg`'s vectors and matrices over a backend store its `Real` (and
/// its complex ones `Complex<Real>`), so one type parameter names both the library and the
/// precision, as burn's backends do.
///
/// ```
/// use backprop_backend::{Precision, RealScalar};
/// use num_traits::Float;
///
/// /// The machine epsilon of a backend's precision.
/// fn epsilon<B: Precision>() -> f64 {
///     B::Real::epsilon().to_f64_real()
/// }
/// # struct Single;
/// # impl Precision for Single { type Real = f32; }
/// assert_eq!(epsilon::<Single>(), f64::from(f32::EPSILON));
/// ```
pub trait Precision {
    /// The real scalar: `f64` or `f32`.
    type Real: RealScalar;
}
