//! Desktop notifications (`notify-rust`), shown off the GUI thread; failures (no
//! notification service) are only logged.

use iced::Task;

/// Shows a notification with `title` and `body`.
pub(crate) fn show<T: Send + 'static>(title: String, body: String) -> Task<T> {
    if std::env::var_os("ANDANTE_NO_NOTIFICATIONS").is_some() {
        return Task::none();
    }
    Task::future(async move {
        let shown = tokio::task::spawn_blocking(move || {
            let body: String = body.chars().take(200).collect();
            notify_rust::Notification::new()
                .appname("andante")
                .summary(&title)
                .body(&body)
                .show()
                .map(|_| ())
        })
        .await;
        match shown {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::debug!(%e, "no desktop notification"),
            Err(e) => tracing::debug!(%e, "the notification task failed"),
        }
    })
    .discard()
}
