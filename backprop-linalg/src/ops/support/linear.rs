//! Linear maps recorded with their adjoints. The structural ops (building a vector from scalars,
//! cutting a matrix into rows, concatenating, converting sizes or precision) are linear: the rule
//! of `y = f(x)` is `x̄ = fᵀ(ȳ)`, and the rule of the adjoint `fᵀ` is `f` itself. Recording each
//! with the other as its rule closes the pair under differentiation, so the backward pass of a
//! structural op can be recorded and differentiated again ([`Tape::record_rule`]) to any order.
//!
//! [`Tape::record_rule`]: backprop_core::Tape::record_rule

use std::rc::Rc;

use backprop_core::{BVar, Backprop, Val};

use crate::ops::support::record::rule1;

/// A linear map `X → Y` with its adjoint `Y → X` (`⟨f(x), y⟩ = ⟨x, fᵀ(y)⟩`).
pub(crate) struct Linear<X, Y> {
    apply: Rc<dyn Fn(&X) -> Y>,
    adjoint: Rc<dyn Fn(&Y) -> X>,
}

impl<X, Y> Clone for Linear<X, Y> {
    fn clone(&self) -> Self {
        Linear {
            apply: Rc::clone(&self.apply),
            adjoint: Rc::clone(&self.adjoint),
        }
    }
}

impl<X: Backprop, Y: Backprop> Linear<X, Y> {
    /// The map `apply` whose adjoint is `adjoint`.
    pub(crate) fn new(
        apply: impl Fn(&X) -> Y + 'static,
        adjoint: impl Fn(&Y) -> X + 'static,
    ) -> Self {
        Linear {
            apply: Rc::new(apply),
            adjoint: Rc::new(adjoint),
        }
    }

    /// The adjoint map, whose adjoint is this one.
    pub(crate) fn adjoint(&self) -> Linear<Y, X> {
        Linear {
            apply: Rc::clone(&self.adjoint),
            adjoint: Rc::clone(&self.apply),
        }
    }

    /// `f(x)` recorded on `x`'s tape. Gradient: `x̄ = fᵀ(ȳ)`.
    pub(crate) fn record<'t>(&self, x: BVar<'t, X>) -> BVar<'t, Y> {
        let value = (self.apply)(x.value());
        let adjoint = self.adjoint();
        rule1(x, value, move |cx, ix, _, dy| {
            if cx.wants(ix) {
                cx.add(ix, adjoint.val(dy));
            }
        })
    }

    /// `f(x)` of a quantity of a rule: computed on a plain value, recorded on a variable.
    pub(crate) fn val<'v>(&self, x: Val<'v, X>) -> Val<'v, Y> {
        x.map(|x| (self.apply)(&x), |x| self.record(x))
    }
}
