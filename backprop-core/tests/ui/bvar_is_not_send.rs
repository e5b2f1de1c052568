// A BVar (and its tape) cannot be sent to another thread.
use backprop_core::grad_bp;

fn assert_send<T: Send>(_: &T) {}

fn main() {
    let _ = grad_bp(
        |x| {
            assert_send(&x);
            x
        },
        &1.0,
    );
}
