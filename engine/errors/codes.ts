/**
 * Every error code genautoml raises or records, closed: `new GenAutoMLError(code, …)` type-checks
 * only with a code listed here (as bolt-js lists its error codes), so clients can rely on the set
 * and docs/errors.md is generated from it.
 *
 * Adding a code is one line below, in its area: `'area.reason': { meaning: '…', hint: '…' },`,
 * then `npm run docs:errors`. `meaning` says in one line when it is raised; `hint` is the fix
 * shown when the thrower gives none of its own (most give a more specific one). Before adding,
 * look for a code that already means the same thing: one meaning, one code.
 */
export const ERROR_CODES = {
  // The neural architect (LLM or offline) that designs models.
  'architect.cancelled': { meaning: 'A model design was cancelled by its caller.', hint: 'Nothing was stored; run the request again when ready.' },
  'architect.failed': { meaning: 'The architect could not produce a design (offline architect misused, or a proposal failed).', hint: 'Read the message and details; generate_model reports each iteration.' },
  'architect.not_validated': { meaning: 'A design was registered before the validator accepted it.', hint: 'This is a bug in the caller: register only validated designs.' },
  'architect.novelty_failed': { meaning: 'The novelty check (a Python subprocess comparing a design with the zoo) could not run.', hint: 'Set GENAUTOML_PYTHON to a Python 3 interpreter.' },
  'architect.round_failed': { meaning: 'An architect round of a study failed; the study goes on with the candidates it has.', hint: 'search_status shows the round error; check the LLM settings (genautoml doctor).' },
  'architect.round_lost': { meaning: 'No worker finished an architect round before its time limit (recorded on the round).', hint: 'Check that workers run and their logs; the study goes on without the round.' },

  // benchmark: comparing models on a dataset.
  'benchmark.feature_unavailable': { meaning: 'A benchmark report did not keep the forecast of the feature asked for.', hint: 'Benchmark the chosen models on the dataset to plot that feature.' },
  'benchmark.unknown_feature': { meaning: 'A benchmark chart was asked for a column the dataset does not have.', hint: 'Name one of the dataset’s columns.' },

  // The chat bots (Slack, Discord).
  'chat.bad_command': { meaning: 'A chat message could not be read as a command.', hint: 'Send "help" to the bot for the commands it understands.' },
  'chat.upload_failed': { meaning: 'A file attached in Slack or Discord could not be downloaded from the platform.', hint: 'Attach the file again.' },

  // The command line.
  'cli.conflicting_arguments': { meaning: 'A command-line value was given both as a positional argument and as a flag.', hint: 'Give it once.' },

  // Configuration (environment variables).
  'config.invalid': { meaning: 'A setting is missing or has an invalid value.', hint: 'See docs/configuration.md for every setting and its allowed values.' },

  // data: reading and preparing a file into a dataset.
  'data.all_missing': { meaning: 'A column asked for by name has no values at all.', hint: 'Choose another column.' },
  'data.bad_base64': { meaning: 'Inline file content is not valid base64.', hint: 'Send the file bytes base64-encoded, or give a path or URL instead.' },
  'data.bad_frequency': { meaning: 'A frequency could not be read.', hint: 'Use a number and a unit: 500ms, 15s, 10min, 1h, 1d, 1w, 1b, 1mo, 1q, 1y.' },
  'data.bad_labels': { meaning: 'The anomaly label column holds values other than 0 and 1.', hint: 'Use 1 for anomalous rows and 0 for normal ones, or leave labelColumn unset.' },
  'data.bad_label_windows': { meaning: 'A file of anomaly windows could not be read as (start, end) pairs.', hint: 'Give one window per line as start,end (CSV) or a JSON list of [start, end] pairs, times as ISO 8601.' },
  'data.bad_options': { meaning: 'The load options do not match their schema.', hint: 'Check the option names and values.' },
  'data.compressed': { meaning: 'The file is compressed (gzip, bzip2, zstd or xz).', hint: 'Decompress it first, then load the CSV or Parquet file.' },
  'data.csv_malformed': { meaning: 'The CSV could not be parsed (usually quoting).', hint: 'Every opening quote needs a closing one; quotes inside a field are doubled ("").' },
  'data.empty_file': { meaning: 'The file has no rows at all.', hint: 'Check that the export finished.' },
  'data.file_changed': { meaning: 'A file changed on disk (rewritten, replaced or grown) while it was being loaded.', hint: 'Load it again once nothing is writing to it.' },
  'data.field_too_large': { meaning: 'A CSV field is longer than any time-series cell can be (often an unclosed quote).', hint: 'Check the export for an unclosed quote.' },
  'data.grid_too_large': { meaning: 'Placing the rows on a regular time grid would need too many rows.', hint: 'Choose a coarser frequency, or load the part without the gap.' },
  'data.html': { meaning: 'The file is an HTML page, not a data file.', hint: 'Use the direct link to the raw CSV or Parquet file, or save the file and upload it.' },
  'data.json_malformed': { meaning: 'The JSON could not be parsed.', hint: 'Check that the export finished, or export the data as CSV.' },
  'data.json_shape': { meaning: 'The JSON parses but is not a table (records or columns).', hint: 'Use records ([{"date": …, "value": …}]) or columns ({"date": […], "value": […]}).' },
  'data.long_ambiguous': { meaning: 'The table looks long but more than one set of columns could name the series.', hint: 'Name the series columns with idColumns, or set layout "wide".' },
  'data.long_duplicates': { meaning: 'A long table repeats (series, timestamp) pairs.', hint: 'Say how to merge them with aggregate ("mean", "sum" or "last"), or name other idColumns.' },
  'data.no_numeric_column': { meaning: 'No numeric column that varies over time is left.', hint: 'A dataset needs at least one varying numeric column besides the timestamp.' },
  'data.no_rows': { meaning: 'The file has a header (or structure) but no data rows.', hint: 'Export the data rows too.' },
  'data.no_timestamp': { meaning: 'No column (or not the named one) could be read as timestamps.', hint: 'Use ISO 8601 timestamps (2020-01-31 13:00:00) or name the column with timeColumn.' },
  'data.not_a_file': { meaning: 'The path names something other than a regular file.', hint: 'Name a CSV or Parquet file.' },
  'data.not_found': { meaning: 'There is no file at the path given.', hint: 'Check the name; relative paths start at the first data directory.' },
  'data.not_long': { meaning: 'Layout "long" was asked for but no text column names series.', hint: 'Name the series columns with idColumns, or use layout "wide".' },
  'data.not_numeric': { meaning: 'A column chosen as a feature, target or value is not numeric.', hint: 'Choose numeric columns as features, target and values.' },
  'data.not_text': { meaning: 'The file is binary and of no format genautoml reads.', hint: 'Upload a CSV (UTF-8 or UTF-16), JSON or Parquet file.' },
  'data.parquet_corrupt': { meaning: 'The Parquet file is truncated or corrupt.', hint: 'Re-export or re-upload the file; a Parquet file ends with "PAR1".' },
  'data.path_outside': { meaning: 'The path is outside the allowed data directories.', hint: 'Put the file in a data directory, or add its directory to GENAUTOML_DATA_DIRS.' },
  'data.ragged_rows': { meaning: 'A CSV row has a different number of fields from the header.', hint: 'Check for a stray delimiter or a cut-off last line.' },
  'data.split_too_short': { meaning: 'The series is too short for the split asked for.', hint: 'Use ratio splits (e.g. 0.7/0.1/0.2) for shorter series.' },
  'data.spreadsheet': { meaning: 'The file is an Excel workbook, not CSV or Parquet.', hint: 'Save the sheet as CSV, then load the CSV.' },
  'data.too_few_rows': { meaning: 'Too few rows are left after preparation for train, validation and test.', hint: 'Load a longer series.' },
  'data.too_large': { meaning: 'A file or download is over the upload size limit.', hint: 'Use a smaller extract, or raise GENAUTOML_MAX_UPLOAD_BYTES.' },
  'data.too_many_series': { meaning: 'A long table has more series than can become features.', hint: 'Filter the table to the series you need, or choose other idColumns.' },
  'data.train_empty_column': { meaning: 'A column has no values in the training split, so it cannot be normalised.', hint: 'Drop the column with features, or use a split whose training part covers it.' },
  'data.unknown_column': { meaning: 'A column named in the options does not exist (or is not numeric).', hint: 'The error lists the columns there are.' },
  'data.url_failed': { meaning: 'A URL could not be downloaded (network, DNS, TLS).', hint: 'Check the URL and that this server can reach it.' },
  'data.url_forbidden': { meaning: 'A URL points at a private or local address, which downloads refuse.', hint: 'Give a public URL, upload the file, or (operators) allow the host in GENAUTOML_URL_ALLOW_HOSTS.' },
  'data.url_redirects': { meaning: 'A URL redirected too often or without a location.', hint: 'Give the final URL of the file.' },
  'data.url_scheme': { meaning: 'A URL is neither http nor https.', hint: 'Give an http(s) URL, a path inside the data directories, or upload the file.' },
  'data.url_status': { meaning: 'The server of a URL answered with a status other than 2xx.', hint: 'Check the URL; the server must answer 200 with the file.' },
  'data.url_timeout': { meaning: 'A download took longer than its time limit.', hint: 'Check the URL, or raise GENAUTOML_URL_TIMEOUT_MS for a slow server.' },
  'data.xml': { meaning: 'The file is XML, which is not read.', hint: 'Export the data as CSV (or Parquet) and load that.' },
  'data.zip_file': { meaning: 'The file is a ZIP archive.', hint: 'Unzip it and load the CSV or Parquet file inside.' },

  // Stored datasets.
  'dataset.damaged': { meaning: 'A stored dataset lacks one of its prepared arrays.', hint: 'Load the file again with load_dataset.' },
  'dataset.not_found': { meaning: 'No dataset has the id given.', hint: 'Call list_datasets to see the stored ids, or load_dataset to add one.' },

  // The database.
  'db.locked': { meaning: 'The embedded database (PGlite) is in use by another process.', hint: 'Stop the other process, or run PostgreSQL and set DATABASE_URL so processes can share it.' },
  'db.migration_failed': { meaning: 'A schema migration failed and was rolled back.', hint: 'Nothing from the migration was applied; fix the database problem named and start again.' },
  'db.open_failed': { meaning: 'The embedded database could not be opened.', hint: 'Check that the directory is writable and not damaged, or set DATABASE_URL.' },
  'db.unreachable': { meaning: 'The database server cannot be reached.', hint: 'Check DATABASE_URL and that PostgreSQL is running.' },

  // Exploratory data analysis.
  'eda.degenerate_series': { meaning: 'A series is constant or collinear with its lags, so a stationarity test has no solution.', hint: 'Such columns carry no information for the test; drop them.' },
  'eda.too_short': { meaning: 'Too few rows to analyse.', hint: 'Use scope "all" or load a longer series.' },

  // Exporting a trained model.
  'export.no_winner': { meaning: 'A study has no selected model to export yet.', hint: 'Wait for it to finish, or name a complete trial with trial=N.' },
  'export.trial_not_complete': { meaning: 'The trial asked for did not complete, so it has nothing to export.', hint: 'search_status lists the complete trials.' },

  // The HTTP MCP server.
  'http.listen_failed': { meaning: 'The HTTP server could not listen on its host and port.', hint: 'Check GENAUTOML_HTTP_HOST and GENAUTOML_HTTP_PORT (0 picks a free port).' },

  // Anything unforeseen.
  'internal.stalled': { meaning: 'A command was left waiting for work that can no longer finish (printed by bin/genautoml.js instead of Node’s exit code 13).', hint: 'This is a bug; please report it with the output of GENAUTOML_LOG_LEVEL=debug.' },
  'internal.unexpected': { meaning: 'Something failed that genautoml did not foresee.', hint: 'This is a bug or an unexpected environment problem; the logs on stderr have the stack.' },

  // The LLM endpoint (Groq or any OpenAI-compatible server).
  'llm.bad_endpoint': { meaning: 'The base URL has no chat-completions endpoint (HTTP 404).', hint: 'Check the base URL: OpenAI-compatible servers usually end in /v1.' },
  'llm.bad_reply': { meaning: 'The LLM endpoint answered with something other than a usable reply (empty, malformed).', hint: 'Try again or another model; a reasoning model may need more max tokens.' },
  'llm.cancelled': { meaning: 'An LLM request was cancelled by its caller.', hint: 'Nothing was stored; run the request again when ready.' },
  'llm.invalid_key': { meaning: 'The LLM endpoint refused the API key (HTTP 401/403).', hint: 'Check GENAUTOML_GROQ_API_KEY or GENAUTOML_LLM_API_KEY: it may be wrong or revoked.' },
  'llm.missing_key': { meaning: 'The LLM endpoint requires an API key and none is configured.', hint: 'Set GENAUTOML_GROQ_API_KEY or GENAUTOML_LLM_API_KEY.' },
  'llm.not_configured': { meaning: 'The LLM provider lacks a base URL or a model.', hint: 'Set GENAUTOML_LLM_BASE_URL and GENAUTOML_LLM_MODEL (or use Groq).' },
  'llm.rate_limited': { meaning: 'The LLM endpoint rate-limited the request (HTTP 429) beyond the retries.', hint: 'Wait a minute, lower the request rate, or raise GENAUTOML_LLM_MAX_RETRIES.' },
  'llm.request_failed': { meaning: 'The LLM endpoint rejected the request (HTTP 4xx).', hint: 'Read the message: the endpoint says what it refused.' },
  'llm.timeout': { meaning: 'The LLM endpoint did not answer within its time limit.', hint: 'Raise GENAUTOML_LLM_TIMEOUT_MS, or use a faster model.' },
  'llm.unavailable': { meaning: 'The LLM endpoint failed (HTTP 5xx) beyond the retries.', hint: 'The LLM service is having trouble; try again later or configure another provider.' },
  'llm.unknown_model': { meaning: 'The LLM endpoint does not know the model configured.', hint: 'Set GENAUTOML_GROQ_MODEL or GENAUTOML_LLM_MODEL to a model the endpoint serves.' },
  'llm.unreachable': { meaning: 'The LLM endpoint could not be reached (network, DNS, refused).', hint: 'Check the base URL, the network, and that the server is running.' },

  // The model registry.
  'model.bad_search_space': { meaning: 'A model’s SEARCH_SPACE is not a dict of non-empty lists of literals.', hint: 'Write SEARCH_SPACE = {"name": [values, ...]}.' },
  'model.name_taken': { meaning: 'Another model already has the name.', hint: 'Choose another name (rename_model renames a stored one).' },
  'model.not_found': { meaning: 'No stored model has the id or name given.', hint: 'Call list_models to see the registered models.' },
  'model.read_only': { meaning: 'Built-in baselines cannot be renamed or deleted.', hint: 'Register a copy under another name instead.' },

  // Notifications (webhooks, Slack, Discord).
  'notify.bad_target': { meaning: 'A subscription lacks the channel it delivers to.', hint: 'Subscribe again from the channel.' },
  'notify.no_deliverer': { meaning: 'No bot for the subscription’s platform runs in this process.', hint: 'Start the bot (genautoml slack / discord), or serve with its tokens set.' },
  'notify.webhook_rejected': { meaning: 'A webhook answered with an error status.', hint: 'A 401/403/404 means the URL is wrong or revoked; other statuses are retried.' },
  'notify.webhook_timeout': { meaning: 'A webhook did not answer within its time limit.', hint: 'The delivery is retried with backoff; check that the receiver is up.' },
  'notify.webhook_unreachable': { meaning: 'A webhook could not be reached.', hint: 'The delivery is retried with backoff; check the URL and that the receiver is up.' },

  // Charts.
  'plot.render_failed': { meaning: 'A chart could not be rendered.', hint: 'This is a bug in the chart specification; the data itself was fine.' },

  // The job queue (pg-boss).
  'queue.bad_payload': { meaning: 'A job’s payload does not match its queue’s schema.', hint: 'This is a bug in the sender.' },
  'queue.shutting_down': { meaning: 'A job arrived while the worker shuts down.', hint: 'The job will be retried.' },
  'queue.start_failed': { meaning: 'The job queue could not start.', hint: 'Check the database connection.' },
  'queue.unavailable': { meaning: 'The job queue did not answer the readiness probe.', hint: 'Check the database connection and the worker logs.' },
  'queue.unknown': { meaning: 'A job was sent to a queue that is not registered.', hint: 'This is a bug in the sender.' },

  // MCP resources.
  'resource.bad_uri': { meaning: 'A resource URI is malformed.', hint: 'Use a URI from a tool result, resources/list or resources/templates/list.' },
  'resource.not_found': { meaning: 'No resource exists at the URI.', hint: 'Use a URI from a tool result, resources/list or resources/templates/list.' },

  // The PyTorch runner (the Python sandbox that validates, trains, evaluates and exports).
  'runner.bad_output': { meaning: 'A file the runner wrote (weights, build record, outputs) was refused.', hint: 'This is a runner or model problem; details say what was refused.' },
  'runner.bad_request': { meaning: 'The runner was asked for something it cannot do with the inputs given.', hint: 'Read the message; it names the input at fault.' },
  'runner.busy': { meaning: 'Every runner slot is busy and the wait queue is full, or the call waited too long for a slot.', hint: 'Retry after details.retryAfterS seconds; operators size the pool with GENAUTOML_RUNNER_SLOTS.' },
  'runner.cancelled': { meaning: 'A runner call was cancelled.', hint: 'Run it again when you want the result.' },
  'runner.closed': { meaning: 'The runner client was used after it was closed.', hint: 'This is a bug in the caller.' },
  'runner.crashed': { meaning: 'The runner process died (a signal, memory or file-size limits).', hint: 'See details.stderr; limits are set by GENAUTOML_RUNNER_MEMORY_MB and the timeouts.' },
  'runner.export_exists': { meaning: 'The export directory is not empty.', hint: 'Export into a new directory.' },
  'runner.failed': { meaning: 'A runner operation failed outside the model code.', hint: 'This looks like a runner problem; details.traceback has the stack.' },
  'runner.model_error': { meaning: 'The model code raised an error inside the runner.', hint: 'The model code failed; validate it first and read details.traceback.' },
  'runner.protocol': { meaning: 'The runner wrote something other than valid protocol replies.', hint: 'See details.stderr: the model or the runner printed to stdout.' },
  'runner.timeout': { meaning: 'A runner call ran past its time limit and was killed.', hint: 'Raise the timeout, use fewer epochs or a smaller model.' },
  'runner.unavailable': { meaning: 'The Python interpreter for the runner cannot run (or lacks torch).', hint: 'Install python3 with torch or set GENAUTOML_PYTHON.' },
  'sandbox.unavailable': { meaning: 'Untrusted model code would have to run without a sandbox.', hint: 'Install bubblewrap and allow user namespaces, or set GENAUTOML_ALLOW_UNSANDBOXED=true.' },

  // Searches (studies, trials, samplers, pruners).
  'search.bad_request': { meaning: 'A search request does not match its schema.', hint: 'Check the search options.' },
  'search.dataset_too_short': { meaning: 'A split is too short for the lookback and horizon asked for.', hint: 'Use a shorter lookback or horizon, or a longer dataset.' },
  'search.failed': { meaning: 'A search waited on to its end (search wait=true, the CLI) ended failed; the study’s own error code is used when it has one.', hint: 'search_status shows the study’s error and each trial’s.' },
  'search.finalise_failed': { meaning: 'Finalising a study (scoring and reporting the winners) failed.', hint: 'search_status shows the error; the trials themselves are kept.' },
  'search.invalid_budget': { meaning: 'A search budget is invalid or missing.', hint: 'maxTrials is a positive integer; maxWallSeconds a positive number of seconds.' },
  'search.invalid_pruner': { meaning: 'A pruner’s options are invalid.', hint: 'Check the pruner options against the documented defaults.' },
  'search.invalid_sampler': { meaning: 'A sampler’s options are invalid.', hint: 'Check the sampler options against the documented defaults.' },
  'search.invalid_space': { meaning: 'A search space is malformed.', hint: 'Each parameter is a non-empty list of scalars or a range.' },
  'search.no_architect': { meaning: 'An architect round ran for a study without architect rounds (recorded on the round).', hint: 'Start the study with architect rounds, or evolve it.' },
  'search.no_candidates': { meaning: 'No model names were given: an empty candidates list for a search, or none to add to a study.', hint: 'Name one or more registered models (list_models).' },
  'search.no_complete_trial': { meaning: 'A study ended with no complete trial, so there is no model to report.', hint: 'search_status shows each trial’s error; fix the candidates or give the search more time.' },
  'search.round_conflict': { meaning: 'An architect round was closed by another worker meanwhile.', hint: 'Another worker ran it; nothing to do.' },
  'search.state_conflict': { meaning: 'A study changed state while it was being changed.', hint: 'Try again; nothing was changed.' },
  'search.study_closed': { meaning: 'A study is no longer open for what was asked (it is done, failed or cancelled).', hint: 'Start a new search, or evolve a finished study.' },
  'search.too_many_candidates': { meaning: 'A study would have more candidates than allowed.', hint: 'Start a new search for the extra models.' },
  'search.unknown_candidate': { meaning: 'A candidate name is not a registered model (or not a candidate of the study).', hint: 'list_models shows the registered names.' },
  'search.unknown_pruner': { meaning: 'No pruner has the name given.', hint: 'The error lists the pruners there are.' },
  'search.unknown_sampler': { meaning: 'No sampler has the name given.', hint: 'The error lists the samplers there are.' },
  'search.weights_missing': { meaning: 'A trial has no stored weights.', hint: 'The trial did not complete; choose another.' },

  // Files on disk (artefacts, exports, spool, scratch).
  'storage.artifact_missing': { meaning: 'An artefact is not stored.', hint: 'Use a URI from a tool result or resources/list.' },
  'storage.disk_full': { meaning: 'The disk is full (ENOSPC).', hint: 'Free space on the disk holding it (or move GENAUTOML_HOME) and try again.' },
  'storage.permission_denied': { meaning: 'Permission to a file or directory was denied (EACCES, EPERM).', hint: 'Make the directory writable by the user running genautoml, or point GENAUTOML_HOME elsewhere.' },
  'storage.quota_exceeded': { meaning: 'The disk quota is used up (EDQUOT).', hint: 'Free space within your quota or ask for a larger one, then try again.' },
  'storage.read_only': { meaning: 'The file system is read-only (EROFS).', hint: 'Point GENAUTOML_HOME at a writable file system.' },

  // Studies as stored.
  'study.cancelled': { meaning: 'A study (and its queued trials) was cancelled (recorded on the study and its trials).', hint: 'Start a new search to try again.' },
  'study.damaged': { meaning: 'A study’s stored result does not have the shape this version reads.', hint: 'Run the search again; the trials and their weights are still stored.' },
  'study.not_done': { meaning: 'A study has not finished, so it has no leaderboard or result yet.', hint: 'Wait for it to finish (search_status, or subscribe to it).' },
  'study.not_found': { meaning: 'No study has the id given.', hint: 'search_status without an id lists recent studies.' },

  // The MCP server itself.
  'server.starting': { meaning: 'A quick tool was called while the server was still opening its database, and the database did not open within the call bound (25 s).', hint: 'Call again in a few seconds.' },

  // Subscriptions.
  'subscribe.no_target': { meaning: 'A subscription names nowhere to deliver.', hint: 'Pass webhook=https://…, or subscribe from a Slack or Discord channel.' },

  // Operating-system limits.
  'system.too_many_open_files': { meaning: 'The process or system has too many open files (EMFILE, ENFILE).', hint: 'Raise the open-file limit (ulimit -n, LimitNOFILE=) or lower GENAUTOML_WORKER_CONCURRENCY.' },

  // Background tool runs.
  'task.lost': { meaning: 'An MCP task of a tool other than search was running in a server process that stopped before it finished (recorded on the task).', hint: 'Call the tool again; only searches outlive the process that started them.' },
  'task.not_found': { meaning: 'No background run has the task id in this server process.', hint: 'Task ids last an hour and do not survive a restart; run the tool again.' },

  // Tools (the one registry behind MCP, CLI and bots).
  'tool.bad_cursor': { meaning: 'A listing cursor is not one this listing handed out.', hint: 'Pass nextCursor from the previous page unchanged, or omit it to start again.' },
  'tool.bad_output': { meaning: 'A tool’s result does not match its output schema.', hint: 'This is a bug in the tool; please report it with the logs.' },
  'tool.cancelled': { meaning: 'A tool call was cancelled.', hint: 'Run it again when you want the result.' },
  'tool.invalid_arguments': { meaning: 'A tool’s arguments are invalid: against its schema, or a combination it does not take.', hint: 'The message names the fields at fault; the tool’s input schema lists them all.' },
  'tool.unknown': { meaning: 'No tool has the name given.', hint: 'The error lists the tools there are.' },

  // Trials (one model trained with one set of parameters).
  'trial.failed': { meaning: 'A trial failed (recorded on the trial; the study goes on).', hint: 'search_status shows the trial’s error; validate the model on its own.' },
  'trial.lost': { meaning: 'A trial’s worker was lost too often, or none reported before the time limit (recorded on the trial).', hint: 'Check the workers’ logs and memory limits.' },
  'trial.no_finite_loss': { meaning: 'Training produced no finite validation loss (the model diverged).', hint: 'Lower the learning rate, or check the data for extreme values.' },
} as const satisfies Record<`${string}.${string}`, { meaning: string; hint: string }>;

/** A code of ERROR_CODES: the only codes a GenAutoMLError carries. New one? Add it to engine/errors/codes.ts. */
export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
