"""genautoml model runner: executes untrusted PyTorch model code for the TypeScript engine.

Run as `python3 -m genautoml_runner [--limits JSON]`. Protocol (JSON lines):
  runner -> client  {"type":"ready", ...}                 once torch is imported (warm pool)
  client -> runner  one request {"op": "...", ...}
  runner -> client  zero or more {"type":"event", ...}
  client -> runner  optional {"type":"stop"} (train: finish the current epoch, save, return)
  runner -> client  exactly one {"type":"result","op":...,"ok":true,"data":{...}}
                    or {"type":"result","op":...,"ok":false,"error":{...}}
One request per process: a fresh interpreter per model, so no model can affect the next.
"""
PROTOCOL_VERSION = 1
