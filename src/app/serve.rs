//! `sopsim serve`: listen on this machine and serve the workshop page until Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::cli::ServeArgs;
use crate::error::Error;
use crate::format::{visible, visible_path};
use crate::message::Message;
use crate::serve::{Guard, Lingering, Workshop, router};

/// Runs `sopsim serve`.
pub fn main(args: &ServeArgs) -> Result<(), Error> {
    let workshop = Arc::new(Workshop::load(&args.file, args.threads.map_or(0, usize::from), false)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::Run(format!("cannot start the server: {e}")))?;
    let addr = SocketAddr::new(args.bind, args.port);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            let help = if e.kind() == std::io::ErrorKind::AddrInUse {
                "another program listens there; choose another port with --port N"
            } else {
                "choose another address with --bind ADDR or another port with --port N"
            };
            Error::Input(Message::new(format!("cannot listen on {addr}: {e}")).help(help).to_string())
        })?;
        let local = listener.local_addr().unwrap_or(addr);
        if !args.bind.is_loopback() {
            eprintln!(
                "warning: listening on {} lets other machines on the network open the page and run the \
                 scenario; the default, 127.0.0.1, keeps it on this machine",
                args.bind
            );
        }
        if !args.allow_host.is_empty() {
            eprintln!(
                "warning: --allow-host weakens the protection against DNS rebinding: requests addressed to {} \
                 are answered too, and whoever controls a name's DNS can point it at this machine and let a web \
                 page read the scenario and run it; allow only names you control",
                args.allow_host.join(", ")
            );
        }
        let host =
            if local.ip().is_unspecified() { SocketAddr::new([127, 0, 0, 1].into(), local.port()) } else { local };
        let url = format!("http://{host}/");
        println!(
            "sopsim serve: {} from {} on {url} (Ctrl-C stops)",
            visible(&workshop.base.scenario.name),
            visible_path(&args.file)
        );
        if args.open {
            open_browser(&url);
        }
        let stop = stop_signal(workshop.clone())?;
        let guard = Guard::new(args.bind, local.port(), &args.allow_host);
        axum::serve(Lingering(listener), router(workshop.clone(), guard))
            .with_graceful_shutdown(stop)
            .await
            .map_err(|e| Error::Run(format!("the server failed: {e}")))
    });
    workshop.close();
    runtime.shutdown_timeout(Duration::from_secs(2));
    if result.is_ok() {
        println!("sopsim serve: stopped");
    }
    result
}

/// Resolves on the first Ctrl-C or SIGTERM (watched with the same handler every command
/// uses, which `main` leaves to this command) and stops the runs in flight; a second
/// one exits at once with code 130.
fn stop_signal(workshop: Arc<Workshop>) -> Result<impl Future<Output = ()>, Error> {
    let notify = Arc::new(tokio::sync::Notify::new());
    let told = notify.clone();
    let count = AtomicUsize::new(0);
    ctrlc::set_handler(move || {
        if count.fetch_add(1, Ordering::SeqCst) == 0 {
            told.notify_one();
        } else {
            eprintln!("interrupted again; stopping now");
            std::process::exit(130);
        }
    })
    .map_err(|e| Error::Run(format!("cannot watch for Ctrl-C: {e}")))?;
    Ok(async move {
        notify.notified().await;
        eprintln!("stopping: finishing the requests in flight");
        workshop.close();
    })
}

/// Asks the desktop to open `url`; says so and goes on when it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap it when it ends, so that it leaves no zombie behind.
            std::thread::spawn(move || child.wait());
        }
        Err(e) => eprintln!("note: could not open a browser ({opener}: {e}); open {url} yourself"),
    }
}
