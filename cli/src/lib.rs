//! The iptlint command line as a library.

use std::ffi::OsString;

pub fn run<I: IntoIterator<Item = OsString>>(_args: I) -> i32 {
    0
}
