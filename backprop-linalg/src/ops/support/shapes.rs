//! Run-time shape checks, for the operations whose operands' sizes the types cannot tie
//! together when a size is [`Dyn`](crate::Dyn). Each returns the
//! [`LinalgError::ShapeMismatch`] the `try_` form reports, naming the operation and both
//! shapes; with static sizes it cannot fail. O(1), no allocation unless it fails. (Squareness
//! is `backprop_backend::validate::square`.)

use backprop_backend::validate::shape_str as show;

use crate::backend::LinalgError;

/// `Ok` if `shape` has at least as many rows as columns.
pub(crate) fn tall(op: &'static str, shape: (usize, usize)) -> Result<(), LinalgError> {
    if shape.0 >= shape.1 {
        Ok(())
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: "at least as many rows as columns".into(),
            found: show(shape),
        })
    }
}

/// `Ok` if `shape` has at least as many columns as rows.
pub(crate) fn wide(op: &'static str, shape: (usize, usize)) -> Result<(), LinalgError> {
    if shape.0 <= shape.1 {
        Ok(())
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: "at least as many columns as rows".into(),
            found: show(shape),
        })
    }
}

/// `Ok` if two sizes that must agree do: `what` names them (`"inner dimensions"`), `found`
/// describes both operands, and runs only when they do not (no allocation on success).
pub(crate) fn agree(
    op: &'static str,
    what: &str,
    (n, m): (usize, usize),
    found: impl FnOnce() -> String,
) -> Result<(), LinalgError> {
    if n == m {
        Ok(())
    } else {
        Err(LinalgError::ShapeMismatch {
            op,
            expected: format!("{what} to agree"),
            found: found(),
        })
    }
}

/// `Ok` if two operands have the same shape (both vectors, or both matrices).
pub(crate) fn same(
    op: &'static str,
    a: (usize, usize),
    b: (usize, usize),
    vectors: bool,
) -> Result<(), LinalgError> {
    if a == b {
        return Ok(());
    }
    let describe = |s: (usize, usize)| {
        if vectors {
            format!("{} entries", s.0)
        } else {
            show(s)
        }
    };
    Err(LinalgError::ShapeMismatch {
        op,
        expected: "operands of the same shape".into(),
        found: format!("{} and {}", describe(a), describe(b)),
    })
}
