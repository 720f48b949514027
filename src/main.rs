fn main() -> std::process::ExitCode {
    strato::cli::main()
}
