//! The `podinit` binary: argv in, exit code out; everything else is in the
//! library.
//!
//! `main` is a C `main` rather than Rust's: Rust's runtime sets SIGPIPE to
//! ignored before `fn main` runs and cannot say what it was before, while
//! podinit must hand its children the signal dispositions it inherited
//! (tini does). Without the runtime's start-up, SIGPIPE stays as the parent
//! left it.
#![no_main]

use std::ffi::{c_char, c_int};

/// The process entry point, called by the C runtime.
#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: the C runtime passes `main` argc valid NUL-terminated strings.
    let args = unsafe { podinit::sys::args_from_c(argc, argv) };
    c_int::from(podinit::main(args).code())
}
