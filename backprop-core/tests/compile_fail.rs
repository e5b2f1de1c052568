//! The tape's isolation is enforced by the compiler: each file under `tests/ui/` must fail to
//! compile, with the error recorded beside it.

#[test]
fn bvars_cannot_leave_their_tape() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
