//! `proxmox-api-sim`: runs the simulator and prints one JSON line when ready:
//! `{"url":..,"fingerprint":..,"user":"root@pam","password":..,"control_url":..}`.
//! Runs until killed (SIGTERM/SIGINT end it).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use proxmox_api_sim::Simulator;

const USAGE: &str = "usage: proxmox-api-sim [--listen 127.0.0.1:0] [--nodes 3] [--guests 0] \
[--vms 0] [--password P] [--plain-http] [--auth-delay-ms 3000] [--task-scale 1.0]";

#[derive(Debug)]
struct Options {
    listen: SocketAddr,
    nodes: usize,
    guests: usize,
    vms: usize,
    password: Option<String>,
    plain_http: bool,
    auth_delay: Duration,
    task_scale: f64,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        nodes: 3,
        guests: 0,
        vms: 0,
        password: None,
        plain_http: false,
        auth_delay: Duration::from_millis(3000),
        task_scale: 1.0,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--listen" => {
                let v = value("--listen")?;
                o.listen = v
                    .parse()
                    .map_err(|_| format!("--listen: '{v}' is not an address like 127.0.0.1:0"))?;
            }
            "--nodes" => {
                let v = value("--nodes")?;
                o.nodes = v
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("--nodes: '{v}' is not a positive integer"))?;
            }
            "--guests" => {
                let v = value("--guests")?;
                o.guests = v
                    .parse()
                    .map_err(|_| format!("--guests: '{v}' is not an integer"))?;
            }
            "--vms" => {
                let v = value("--vms")?;
                o.vms = v
                    .parse()
                    .map_err(|_| format!("--vms: '{v}' is not an integer"))?;
            }
            "--password" => o.password = Some(value("--password")?),
            "--plain-http" => o.plain_http = true,
            "--auth-delay-ms" => {
                let v = value("--auth-delay-ms")?;
                o.auth_delay = Duration::from_millis(
                    v.parse()
                        .map_err(|_| format!("--auth-delay-ms: '{v}' is not an integer"))?,
                );
            }
            "--task-scale" => {
                let v = value("--task-scale")?;
                o.task_scale = v
                    .parse()
                    .ok()
                    .filter(|f: &f64| f.is_finite() && *f >= 0.0)
                    .ok_or_else(|| format!("--task-scale: '{v}' is not a non-negative number"))?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("proxmox-api-sim: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("proxmox-api-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let mut builder = Simulator::builder()
            .listen(options.listen)
            .nodes(options.nodes)
            .guests(options.guests)
            .vms(options.vms)
            .plain_http(options.plain_http)
            .auth_failure_delay(options.auth_delay)
            .task_duration_scale(options.task_scale);
        if let Some(p) = options.password {
            builder = builder.password(p);
        }
        let sim = match builder.start().await {
            Ok(sim) => sim,
            Err(e) => {
                eprintln!("proxmox-api-sim: {e}");
                return ExitCode::FAILURE;
            }
        };
        let fingerprint = if sim.fingerprint().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::Value::from(sim.fingerprint())
        };
        let line = serde_json::json!({
            "url": sim.url(),
            "fingerprint": fingerprint,
            "user": sim.user(),
            "password": sim.password(),
            "control_url": sim.control_url(),
        });
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{line}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            return ExitCode::FAILURE;
        }
        drop(stdout);
        std::future::pending::<()>().await;
        drop(sim);
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags() {
        let o = parse(&[
            "--nodes",
            "5",
            "--plain-http",
            "--auth-delay-ms=0",
            "--listen",
            "127.0.0.1:8006",
        ])
        .unwrap();
        assert_eq!(o.nodes, 5);
        assert!(o.plain_http);
        assert_eq!(o.auth_delay, Duration::ZERO);
        assert_eq!(o.listen.port(), 8006);
        assert_eq!(parse(&[]).unwrap().auth_delay, Duration::from_millis(3000));
        assert!(parse(&["--nodes", "0"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--password"]).is_err());
    }
}
