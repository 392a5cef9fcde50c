//! Re-embeds the supervisors' web (`ui/dist-web`, see `src/routes/web.rs`) whenever it is
//! rebuilt, and says so when it is missing: the server then compiles without it.

use std::path::Path;

fn main() {
    let web = Path::new("../ui/dist-web");
    // A directory is watched as a whole: any file in it changing reruns this script, and so
    // recompiles the crate with the new files.
    println!("cargo:rerun-if-changed=../ui/dist-web");
    println!("cargo:rerun-if-changed=build.rs");
    if !web.join("web.html").exists() {
        println!(
            "cargo:warning=ui/dist-web is missing: simpul-server is built without its web \
             pages. Run `npm run build` in ui/ (scripts/test does) to include them."
        );
    }
}
