//! [`BVar`]: a value on a tape, the handle differentiated code is written with.

use std::fmt;
use std::marker::PhantomData;

use crate::tape::{Tape, VarId};

/// A value recorded on the tape `'t`: what a differentiable function takes and returns.
///
/// `BVar` is `Copy` (a reference to the tape, an index and a reference to the value), so it can
/// be used any number of times; every use adds its contribution to the gradient.
/// Its lifetime `'t` brands it to one tape: a `BVar` cannot be returned from the closure that
/// received it, stored outside it, or combined with a `BVar` of another tape. These are compile
/// errors, not run-time checks.
///
/// ```
/// use backprop_core::{backprop, BVar};
///
/// // f(x) = x² + sin x, evaluated and differentiated at 1.
/// fn f<'t>(x: BVar<'t, f64>) -> BVar<'t, f64> {
///     x * x + x.sin()
/// }
/// let (y, dy) = backprop(f, &1.0);
/// assert!((y - (1.0 + 1f64.sin())).abs() < 1e-15);
/// assert!((dy - (2.0 + 1f64.cos())).abs() < 1e-15);
/// ```
pub struct BVar<'t, T> {
    tape: &'t Tape<'t>,
    index: usize,
    value: &'t T,
    /// Whether a gradient flows here (also on the tape; kept here so ops read it for free).
    requires_grad: bool,
    /// Invariance in `'t`, so that two tapes' brands never unify.
    _brand: PhantomData<fn(&'t ()) -> &'t ()>,
}

impl<'t, T> Clone for BVar<'t, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<'t, T> Copy for BVar<'t, T> {}

impl<'t, T: fmt::Debug> fmt::Debug for BVar<'t, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BVar")
            .field("index", &self.index)
            .field("value", self.value)
            .finish()
    }
}

impl<'t, T> BVar<'t, T> {
    pub(crate) fn from_parts(
        tape: &'t Tape<'t>,
        index: usize,
        value: &'t T,
        requires_grad: bool,
    ) -> Self {
        BVar {
            tape,
            index,
            value,
            requires_grad,
            _brand: PhantomData,
        }
    }

    /// The value, borrowed from the tape (Haskell's `evalBP` of a sub-expression, free).
    #[inline]
    pub fn value(&self) -> &'t T {
        self.value
    }

    /// The tape this variable lives on, e.g. to put a constant beside it.
    #[inline]
    pub fn tape(&self) -> &'t Tape<'t> {
        self.tape
    }

    /// This variable's id, for pullbacks recorded with [`Tape::record`].
    #[inline]
    pub fn id(&self) -> VarId<T> {
        VarId::new(self.index)
    }

    /// Whether a gradient flows to this variable: it depends on a differentiated input.
    /// Constants, and values computed from constants only, do not.
    #[inline]
    pub fn requires_grad(&self) -> bool {
        self.requires_grad
    }
}
