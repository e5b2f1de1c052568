//! The `try_` forms of the element-wise operators on variables: [`try_add`], [`try_sub`],
//! [`try_hadamard`] (`∘`, the operator `*`) and [`try_div`].
//!
//! `x + y`, `x - y`, `x * y` and `x / y` between two `BVar`s of a vector or matrix type act
//! entry by entry (hmatrix's `Num` instance); the operators' gradients are in
//! [`backprop_core`]'s `arith` module. With static sizes the operands always match. With a
//! run-time size they may not: the operator then panics, naming both shapes and the line of the
//! operator, and these functions return the same error instead, recording nothing.
//!
//! ```
//! use backprop_linalg::{LinalgError, Matrix, eval_bp2, sum_elements, try_add};
//!
//! let a: Matrix = Matrix::konst_shape(2, 3, 1.0);
//! let b: Matrix = Matrix::konst_shape(3, 2, 1.0);
//! let total = eval_bp2(
//!     |a, b| match try_add(a, b) {
//!         Ok(c) => sum_elements(c),
//!         Err(LinalgError::ShapeMismatch { .. }) => sum_elements(a), // 2×3 and 3×2
//!         Err(e) => panic!("{e}"),
//!     },
//!     &a,
//!     &b,
//! );
//! assert_eq!(total, 6.0);
//! ```

use backprop_backend::LinalgError;
use backprop_core::BVar;

use crate::dense::Elementwise;
use crate::ops::support::shapes;

/// `Ok` if `x` and `y` have the same shape; the error names `op`.
fn same_shape<T: Elementwise>(
    op: &'static str,
    x: &BVar<'_, T>,
    y: &BVar<'_, T>,
) -> Result<(), LinalgError> {
    let (a, b) = (x.value().storage_shape(), y.value().storage_shape());
    shapes::same(op, a, b, T::IS_VECTOR)
}

/// `x + y` entry by entry, or an error if the shapes differ.
///
/// Gradient: `x̄ = ȳ`, `ȳ' = ȳ`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"add"`) if the shapes differ (possible only for run-time
/// sizes).
pub fn try_add<'t, T>(x: BVar<'t, T>, y: BVar<'t, T>) -> Result<BVar<'t, T>, LinalgError>
where
    T: Elementwise,
{
    same_shape("add", &x, &y)?;
    Ok(T::add_vars(x, y))
}

/// `x − y` entry by entry, or an error if the shapes differ.
///
/// Gradient: `x̄ = ȳ`, `ȳ' = −ȳ`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"sub"`) if the shapes differ.
pub fn try_sub<'t, T>(x: BVar<'t, T>, y: BVar<'t, T>) -> Result<BVar<'t, T>, LinalgError>
where
    T: Elementwise,
{
    same_shape("sub", &x, &y)?;
    Ok(T::sub_vars(x, y))
}

/// The Hadamard product `x ∘ y` (the operator `*` on variables), or an error if the shapes
/// differ.
///
/// Gradient: `x̄ = ȳ ∘ conj(y)`, `ȳ' = ȳ ∘ conj(x)`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"hadamard"`) if the shapes differ.
pub fn try_hadamard<'t, T>(x: BVar<'t, T>, y: BVar<'t, T>) -> Result<BVar<'t, T>, LinalgError>
where
    T: Elementwise,
{
    same_shape("hadamard", &x, &y)?;
    Ok(T::mul_vars(x, y))
}

/// `x / y` entry by entry, or an error if the shapes differ.
///
/// Gradient: `x̄ = ȳ / conj(y)`, `ȳ' = −ȳ ∘ conj(x/y) / conj(y)`.
///
/// # Errors
/// [`LinalgError::ShapeMismatch`] (op `"div"`) if the shapes differ.
pub fn try_div<'t, T>(x: BVar<'t, T>, y: BVar<'t, T>) -> Result<BVar<'t, T>, LinalgError>
where
    T: Elementwise,
{
    same_shape("div", &x, &y)?;
    Ok(T::div_vars(x, y))
}
