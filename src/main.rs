//! The `vmyard` binary: see the library's documentation for how it is put together.

// The binary is a shim over the library: the package's dependencies are the library's.
#![allow(unused_crate_dependencies)]

fn main() -> std::process::ExitCode {
    vmyard::install_crypto_provider();
    vmyard::cli::main(vmyard::service::commands::serve)
}
