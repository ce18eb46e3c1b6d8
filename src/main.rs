//! The `vmyard` binary: see the library's documentation for how it is put together.

fn main() -> std::process::ExitCode {
    vmyard::install_crypto_provider();
    vmyard::cli::main(vmyard::service::commands::serve)
}
