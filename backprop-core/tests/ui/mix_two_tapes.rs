// Variables of two tapes cannot meet: the inner closure's tape has its own brand.
use backprop_core::grad_bp;

fn main() {
    let _ = grad_bp(
        |x| {
            let _inner = grad_bp(|y| x * y, &2.0);
            x
        },
        &1.0,
    );
}
