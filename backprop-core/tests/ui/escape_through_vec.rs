// A BVar cannot be collected outside its closure.
use backprop_core::grad_bp;

fn main() {
    let mut kept = Vec::new();
    let _ = grad_bp(
        |x: backprop_core::BVar<'_, f64>| {
            kept.push(x);
            x * x
        },
        &1.0,
    );
    println!("{}", kept.len());
}
