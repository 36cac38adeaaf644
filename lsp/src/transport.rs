//! A guard between stdin and the LSP server: `tower-lsp-server` stops
//! reading after a message it cannot decode (its framed reader ends on the
//! first error), so frames whose header or body is not valid are logged and
//! dropped here, and only well-formed JSON frames reach the server.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Start copying well-formed frames from `input` to the returned reader.
pub fn guard<R: AsyncRead + Unpin + Send + 'static>(input: R) -> DuplexStream {
    let (mut tx, rx) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        loop {
            match read_frame(&mut input).await {
                Ok(Some(body)) => {
                    if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
                        eprintln!("iptlint-lsp: dropped a message that is not JSON ({} bytes)", body.len());
                        continue;
                    }
                    let head = format!("Content-Length: {}\r\n\r\n", body.len());
                    if tx.write_all(head.as_bytes()).await.is_err() || tx.write_all(&body).await.is_err() {
                        break;
                    }
                }
                Ok(None) => continue,
                Err(_) => break, // end of input
            }
        }
        let _ = tx.shutdown().await;
    });
    rx
}

/// One frame's body; `Ok(None)` for a frame without a usable header
/// (skipped); `Err` at the end of the input.
async fn read_frame<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> std::io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = input.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((k, v)) = text.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().ok();
            }
        }
    }
    let Some(length) = length.filter(|&l| l <= 256 << 20) else {
        eprintln!("iptlint-lsp: dropped a frame without a valid Content-Length");
        return Ok(None);
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body).await?;
    Ok(Some(body))
}
