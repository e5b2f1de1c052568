//! Rules written once, for first and second order: [`Pull`], the context a gradient rule
//! computes in, and [`Val`], the quantities it computes with.
//!
//! A rule recorded with [`Tape::record_rule`] is one closure. In a first-order backward pass
//! it runs on plain values: the forward values it reads are borrowed ([`Val::Ref`]), the
//! cotangent it receives and what it computes are owned ([`Val::Own`]), and it costs what a
//! rule written directly on the values costs. When the backward pass is itself being
//! differentiated ([`hvp`](crate::hvp), [`jvp`](crate::jvp)), the same closure runs on tape
//! variables ([`Val::Var`]): every operation it makes is recorded beside the forward pass, so
//! the gradient it builds is a function on the tape, and a second backward pass differentiates
//! it. This is PyTorch's `create_graph` (reverse over reverse), with the rule stated once.
//!
//! A rule computes with the operators on [`Val`] (`+ - * /`, unary `-`, [`Val::conj`]), the
//! element-wise functions of [`Floating`](crate::Floating) types, and, for the types of
//! `backprop-linalg`, the primitives that crate writes over [`Val::map`] and [`Val::zip`]: each
//! does its numerics on plain values and calls the differentiable operation on variables.
//! A number a rule reads from [`Val::get`] and computes with by hand is a constant to the
//! second order; read shapes and make decisions from it, never gradients.

use std::borrow::Cow;
use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::arith::{RefAdd, RefDiv, RefMul, RefNeg, RefSub};
use crate::tape::{Backward, Recording, Tape, VarId};
use crate::{BVar, Backprop, Conjugate};

/// A quantity in a gradient rule: a plain value in a first-order backward pass, a tape variable
/// when the backward pass is recorded for the second order ([`hvp`](crate::hvp),
/// [`jvp`](crate::jvp)).
///
/// A rule computes with the operators on `Val` (`+ - * /`, unary `-`, [`Val::conj`]), the
/// element-wise functions of [`Floating`](crate::Floating) types, and primitives written with
/// [`Val::map`] and [`Val::zip`], which do their numerics on plain values and call the
/// differentiable operation on variables. A number a rule reads from [`Val::get`] and computes
/// with by hand is a constant to the second order: read shapes and make decisions from it.
pub enum Val<'v, T> {
    /// A value of the tape, borrowed (first order).
    Ref(&'v T),
    /// A value the rule received or computed (first order).
    Own(T),
    /// A variable on the tape (the backward pass is being recorded).
    Var(BVar<'v, T>),
}

impl<'v, T: Clone> Clone for Val<'v, T> {
    fn clone(&self) -> Self {
        match self {
            Val::Ref(r) => Val::Ref(r),
            Val::Own(t) => Val::Own(t.clone()),
            Val::Var(x) => Val::Var(*x),
        }
    }
}

impl<'v, T: Backprop> Val<'v, T> {
    /// The value (of the variable, for [`Val::Var`]). Numbers computed from it by hand are
    /// constants to the second order: use it for shapes and decisions.
    pub fn get(&self) -> &T {
        match self {
            Val::Ref(r) => r,
            Val::Own(t) => t,
            Val::Var(x) => x.value(),
        }
    }

    /// The plain value, borrowed or owned; `None` for a tape variable.
    pub fn plain(self) -> Result<Cow<'v, T>, BVar<'v, T>> {
        match self {
            Val::Ref(r) => Ok(Cow::Borrowed(r)),
            Val::Own(t) => Ok(Cow::Owned(t)),
            Val::Var(x) => Err(x),
        }
    }

    /// This quantity as a variable on `tape`: a plain value becomes a constant.
    pub fn on(self, tape: &'v Tape<'v>) -> BVar<'v, T> {
        match self {
            Val::Ref(r) => tape.constant_ref(r),
            Val::Own(t) => tape.constant(t),
            Val::Var(x) => x,
        }
    }

    /// Whether this is a tape variable (the backward pass is recorded).
    pub fn is_var(&self) -> bool {
        matches!(self, Val::Var(_))
    }

    /// This quantity as a variable on `tape`, borrowed: a plain value becomes a constant (an
    /// owned one is cloned).
    pub fn to_var(&self, tape: &'v Tape<'v>) -> BVar<'v, T> {
        match self {
            Val::Ref(r) => tape.constant_ref(r),
            Val::Own(t) => tape.constant(t.clone()),
            Val::Var(x) => *x,
        }
    }

    /// The tape, if this is a variable.
    pub fn tape(&self) -> Option<&'v Tape<'v>> {
        match self {
            Val::Var(x) => Some(x.tape()),
            _ => None,
        }
    }

    /// `f` of this quantity: `plain` on a plain value, `var`, the differentiable form of the
    /// same operation, on a variable. The one way a primitive of a rule is written.
    #[track_caller]
    pub fn map<U: Backprop>(
        self,
        plain: impl FnOnce(Cow<'v, T>) -> U,
        var: impl FnOnce(BVar<'v, T>) -> BVar<'v, U>,
    ) -> Val<'v, U> {
        match self.plain() {
            Ok(x) => Val::Own(plain(x)),
            Err(x) => Val::Var(var(x)),
        }
    }

    /// `f` of two quantities, as [`map`](Val::map): if either is a variable, the other is put on
    /// its tape as a constant and `var` runs.
    #[track_caller]
    pub fn zip<U: Backprop, W: Backprop>(
        self,
        other: Val<'v, U>,
        plain: impl FnOnce(Cow<'v, T>, Cow<'v, U>) -> W,
        var: impl FnOnce(BVar<'v, T>, BVar<'v, U>) -> BVar<'v, W>,
    ) -> Val<'v, W> {
        match (self, other) {
            (Val::Var(x), y) => Val::Var(var(x, y.on(x.tape()))),
            (x, Val::Var(y)) => Val::Var(var(x.on(y.tape()), y)),
            (x, y) => {
                let (Ok(x), Ok(y)) = (x.plain(), y.plain()) else {
                    unreachable!("neither is a variable")
                };
                Val::Own(plain(x, y))
            }
        }
    }
}

impl<'v, T: Backprop + RefMul> Val<'v, T> {
    /// `self ∘ rhs` with `self` borrowed, so that a cotangent used twice is not cloned in a
    /// first-order pass.
    #[track_caller]
    pub fn times(&self, rhs: Self) -> Self
    where
        BVar<'v, T>: Mul<Output = BVar<'v, T>>,
    {
        match (self, rhs) {
            (Val::Var(x), y) => Val::Var(*x * y.on(x.tape())),
            (x, Val::Var(y)) => Val::Var(x.clone().on(y.tape()) * y),
            (x, y) => Val::Own(x.get().mul_ref(y.get())),
        }
    }
}

impl<'v, A: Backprop, B: Backprop> Val<'v, (A, B)> {
    /// The two parts of a pair: moved out of an owned pair, borrowed from a borrowed one, split
    /// from a variable ([`Split`](crate::Split)).
    pub fn unzip(self) -> (Val<'v, A>, Val<'v, B>) {
        match self {
            Val::Ref((a, b)) => (Val::Ref(a), Val::Ref(b)),
            Val::Own((a, b)) => (Val::Own(a), Val::Own(b)),
            Val::Var(x) => {
                let (a, b) = x.split();
                (Val::Var(a), Val::Var(b))
            }
        }
    }
}

impl<'v, A: Backprop, B: Backprop, C: Backprop> Val<'v, (A, B, C)> {
    /// The three parts of a triple, as [`unzip`](Val::unzip) gives those of a pair.
    pub fn unzip(self) -> (Val<'v, A>, Val<'v, B>, Val<'v, C>) {
        match self {
            Val::Ref((a, b, c)) => (Val::Ref(a), Val::Ref(b), Val::Ref(c)),
            Val::Own((a, b, c)) => (Val::Own(a), Val::Own(b), Val::Own(c)),
            Val::Var(x) => {
                let (a, b, c) = x.split();
                (Val::Var(a), Val::Var(b), Val::Var(c))
            }
        }
    }
}

impl<'v, T: Conjugate> Val<'v, T> {
    /// The complex conjugate; for a real type the quantity itself, at no cost.
    pub fn conj(self) -> Self {
        match self {
            Val::Ref(r) => match r.conj() {
                Cow::Borrowed(r) => Val::Ref(r),
                Cow::Owned(c) => Val::Own(c),
            },
            Val::Own(t) => match t.conj() {
                Cow::Owned(c) => Val::Own(c),
                Cow::Borrowed(_) => Val::Own(t),
            },
            Val::Var(x) => Val::Var(x.conj_var()),
        }
    }
}

macro_rules! val_binop {
    ($trait:ident, $method:ident, $ref_trait:ident, $ref_method:ident) => {
        /// On plain values the operator on references; on variables the recorded operator.
        impl<'v, T> $trait for Val<'v, T>
        where
            T: Backprop + $ref_trait,
            BVar<'v, T>: $trait<Output = BVar<'v, T>>,
        {
            type Output = Self;
            #[track_caller]
            fn $method(self, rhs: Self) -> Self {
                self.zip(rhs, |a, b| a.$ref_method(&b), |a, b| a.$method(b))
            }
        }
    };
}

val_binop!(Add, add, RefAdd, add_ref);
val_binop!(Sub, sub, RefSub, sub_ref);
val_binop!(Mul, mul, RefMul, mul_ref);
val_binop!(Div, div, RefDiv, div_ref);

/// On plain values the negation of a reference; on variables the recorded negation.
impl<'v, T> Neg for Val<'v, T>
where
    T: Backprop + RefNeg,
    BVar<'v, T>: Neg<Output = BVar<'v, T>>,
{
    type Output = Self;
    fn neg(self) -> Self {
        self.map(|a| a.neg_ref(), |a| -a)
    }
}

/// Negation of a borrowed quantity: one new value, the quantity itself left for later use.
impl<'v, T> Neg for &Val<'v, T>
where
    T: Backprop + RefNeg,
    BVar<'v, T>: Neg<Output = BVar<'v, T>>,
{
    type Output = Val<'v, T>;
    fn neg(self) -> Val<'v, T> {
        match self {
            Val::Var(x) => Val::Var(-*x),
            other => Val::Own(other.get().neg_ref()),
        }
    }
}

/// Where a rule runs: on plain values, or recording onto the tape.
enum Mode<'p, 'v> {
    Plain(&'p mut Backward<'v>),
    Taped(&'p mut Recording<'v>),
}

/// The context a rule recorded with [`Tape::record_rule`] runs in: read the forward values of
/// its inputs, test which need a gradient, add their gradients. The same rule runs in a
/// first-order backward pass (plain values) and in a recorded one (tape variables); see
/// [`Tape::record_rule`] and [`Val`].
pub struct Pull<'p, 'v> {
    mode: Mode<'p, 'v>,
}

impl<'p, 'v> Pull<'p, 'v> {
    pub(crate) fn plain(ctx: &'p mut Backward<'v>) -> Self {
        Pull {
            mode: Mode::Plain(ctx),
        }
    }

    pub(crate) fn taped(rec: &'p mut Recording<'v>) -> Self {
        Pull {
            mode: Mode::Taped(rec),
        }
    }

    /// The forward value of an input.
    #[track_caller]
    pub fn value<T: 'static>(&self, id: VarId<T>) -> Val<'v, T> {
        match &self.mode {
            Mode::Plain(ctx) => Val::Ref(ctx.value(id)),
            Mode::Taped(rec) => Val::Var(rec.var(id)),
        }
    }

    /// Whether `id` needs a gradient. Constants do not; skip computing theirs.
    pub fn wants<T>(&self, id: VarId<T>) -> bool {
        match &self.mode {
            Mode::Plain(ctx) => ctx.wants(id),
            Mode::Taped(rec) => rec.wants(id),
        }
    }

    /// Adds `grad` to the gradient of `id` (nothing happens if `id` is a constant).
    #[track_caller]
    pub fn add<T: Backprop>(&mut self, id: VarId<T>, grad: Val<'v, T>) {
        match &mut self.mode {
            Mode::Plain(ctx) => match grad.plain() {
                Ok(g) => ctx.add(id, g.into_owned()),
                Err(_) => unreachable!("a first-order rule computes on plain values"),
            },
            Mode::Taped(rec) => {
                let tape = rec.tape();
                rec.add(id, grad.on(tape));
            }
        }
    }

    /// The tape of a recorded pass; `None` in a first-order pass.
    pub fn tape(&self) -> Option<&'v Tape<'v>> {
        match &self.mode {
            Mode::Plain(_) => None,
            Mode::Taped(rec) => Some(rec.tape()),
        }
    }

    /// The first-order context, for a primitive that accumulates into an existing gradient in
    /// place ([`Backward::accumulate`]); `None` while the backward pass is recorded, where the
    /// primitive computes its term with [`Val`]s and [`add`](Pull::add)s it.
    pub fn first_order(&mut self) -> Option<&mut Backward<'v>> {
        match &mut self.mode {
            Mode::Plain(ctx) => Some(ctx),
            Mode::Taped(_) => None,
        }
    }
}

impl<'t, T: Conjugate> BVar<'t, T> {
    /// The complex conjugate, recorded (`x̄ = conj(ȳ)`); a real variable is returned as it is.
    fn conj_var(self) -> Self {
        match self.value().conj() {
            Cow::Borrowed(_) => self,
            Cow::Owned(c) => {
                let id = self.id();
                self.tape()
                    .record_rule(c, self.requires_grad(), move |cx, _, dy| {
                        cx.add(id, dy.conj())
                    })
            }
        }
    }
}
