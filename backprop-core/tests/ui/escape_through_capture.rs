// A BVar cannot be smuggled out of its closure through a captured variable.
use backprop_core::{grad_bp, BVar};

fn main() {
    let mut leaked: Option<BVar<'_, f64>> = None;
    let _ = grad_bp(
        |x| {
            leaked = Some(x);
            x
        },
        &1.0,
    );
    let _ = leaked;
}
