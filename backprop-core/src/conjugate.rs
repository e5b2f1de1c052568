//! [`Conjugate`]: the complex conjugate that the product and quotient rules of `*` and `/` need.

use std::borrow::Cow;

use num_complex::Complex;

use crate::Backprop;

/// A type that `*` and `/` between [`BVar`](crate::BVar)s multiply: it says what its complex
/// conjugate is, which the product and quotient rules use.
///
/// Gradients of complex values follow one convention everywhere, PyTorch's conjugate Wirtinger
/// one: the gradient of a real loss ℓ with respect to `z = x + iy` is `∂ℓ/∂x + i·∂ℓ/∂y`. Under
/// it the product rule of `z = x·y` reads `x̄ = z̄·conj(y)`. For a real type the conjugate is the
/// value itself, borrowed, so the rules cost no copy.
///
/// Only types that use `*` or `/` between variables need it; [`Backprop`] alone says nothing of
/// complex numbers. It is implemented for the real and complex scalars, and `backprop-linalg`
/// implements it for its vectors and matrices. A real type of your own with `&T * &T`:
///
/// ```
/// use std::borrow::Cow;
/// use backprop_core::{grad_bp, Backprop, Conjugate};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Meters(f64);
///
/// impl Backprop for Meters {
///     fn zero(&self) -> Self { Meters(0.0) }
///     fn add(self, rhs: Self) -> Self { Meters(self.0 + rhs.0) }
///     fn one(&self) -> Self { Meters(1.0) }
/// }
/// impl Conjugate for Meters {
///     fn conj(&self) -> Cow<'_, Self> { Cow::Borrowed(self) } // real
/// }
/// impl std::ops::Mul for &Meters {
///     type Output = Meters;
///     fn mul(self, rhs: &Meters) -> Meters { Meters(self.0 * rhs.0) }
/// }
///
/// assert_eq!(grad_bp(|x| x * x, &Meters(3.0)), Meters(6.0));
/// ```
pub trait Conjugate: Backprop {
    /// The complex conjugate: `Cow::Borrowed(self)` for a real type, an owned conjugated copy
    /// for a complex one.
    fn conj(&self) -> Cow<'_, Self>;
}

macro_rules! impl_conjugate_real {
    ($($t:ty),*) => {$(
        impl Conjugate for $t {
            #[inline]
            fn conj(&self) -> Cow<'_, Self> {
                Cow::Borrowed(self)
            }
        }
    )*};
}

impl_conjugate_real!(
    f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl<T: Backprop + num_traits::Num + std::ops::Neg<Output = T>> Conjugate for Complex<T> {
    #[inline]
    fn conj(&self) -> Cow<'_, Self> {
        Cow::Owned(Complex::new(self.re.clone(), -self.im.clone()))
    }
}
