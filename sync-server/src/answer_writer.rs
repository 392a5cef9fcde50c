//! Web answer sets are stored in groups. A link sent to thousands by SMS brings answers in
//! bursts, and storing each in a transaction of its own would make every one wait for its
//! own sync to disk. One writer task takes every set waiting (up to [`MAX_GROUP`]) and
//! stores them in one transaction; each request is answered only once its set is on disk,
//! so an acknowledged answer is never lost. Under light load a group is a single set and
//! nothing waits.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::storage::{Storage, WebAnswer, WebStored};
use crate::{Error, Result};

/// Most answer sets stored in one transaction.
pub const MAX_GROUP: usize = 64;

/// Sets waiting for the writer, at most; further requests wait to hand theirs over.
const QUEUE: usize = 1024;

type Job = (WebAnswer, oneshot::Sender<Result<WebStored>>);

/// The handle requests store their answer sets through.
#[derive(Clone)]
pub struct AnswerWriter {
    jobs: mpsc::Sender<Job>,
}

impl AnswerWriter {
    /// Starts the writer task on the current runtime; it stops when the last handle is
    /// dropped. `stored` is woken after every group that stored something new.
    pub fn start(storage: Arc<dyn Storage>, stored: Arc<Notify>) -> AnswerWriter {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(storage, stored, queue));
        AnswerWriter { jobs }
    }

    /// Stores `answer`, returning once it is durable (or refused).
    pub async fn store(&self, answer: WebAnswer) -> Result<WebStored> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send((answer, reply))
            .await
            .map_err(|_| Error::AnswersNotStored("the writer has stopped".into()))?;
        outcome
            .await
            .map_err(|_| Error::AnswersNotStored("the writer has stopped".into()))?
    }
}

async fn run(storage: Arc<dyn Storage>, stored: Arc<Notify>, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut jobs, MAX_GROUP).await > 0 {
        let (answers, replies): (Vec<WebAnswer>, Vec<_>) = jobs.drain(..).unzip();
        let storage = Arc::clone(&storage);
        let outcomes =
            tokio::task::spawn_blocking(move || storage.store_web_answers(&answers, Utc::now()))
                .await;
        match outcomes {
            Ok(Ok(outcomes)) => {
                if outcomes
                    .iter()
                    .any(|o| matches!(o, Ok(WebStored::Created { .. })))
                {
                    stored.notify_one();
                }
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            failed => {
                let reason = match failed {
                    Ok(Err(error)) => crate::error::Chain(&error).to_string(),
                    Err(error) => error.to_string(),
                    Ok(Ok(_)) => unreachable!("matched above"),
                };
                tracing::error!(%reason, sets = replies.len(), "web answer sets not stored");
                for reply in replies {
                    let _ = reply.send(Err(Error::AnswersNotStored(reason.clone())));
                }
            }
        }
    }
}
