// Reads the version of the cnid crate (../../Cargo.toml) so the table can print it.
fn main() {
    let path = "../../Cargo.toml";
    println!("cargo:rerun-if-changed={path}");
    let mut version = String::from("?");
    if let Ok(text) = std::fs::read_to_string(path) {
        let mut in_package = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_package = line == "[package]";
            } else if in_package && line.starts_with("version") {
                if let Some(v) = line.split('"').nth(1) {
                    version = v.to_string();
                }
                break;
            }
        }
    }
    println!("cargo:rustc-env=CNID_VERSION={version}");
}
