// The nodejs runtime of cloudlet: a small runtime interface client speaking the Lambda Runtime
// API (2018-06-01) at AWS_LAMBDA_RUNTIME_API, as AWS's own Node.js runtime does.
//
// Init: load `_HANDLER` ("file.export", file relative to LAMBDA_TASK_ROOT; .js, .mjs or .cjs);
// a failure is posted to /runtime/init/error as Runtime.ImportModuleError or
// Runtime.HandlerNotFound and the process exits. Invoke: GET /next, call the handler (async,
// promise or callback style) with AWS's context object, POST /response or /error.
"use strict";

const http = require("http");
const path = require("path");
const fs = require("fs");
const { pathToFileURL } = require("url");

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const BASE = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port: Number(PORT), path: BASE + route, method, agent, headers: headers || {} },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorObject(error, type) {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: type || err.name || "Error",
    errorMessage: err.message,
    trace: (err.stack || "").split("\n"),
  };
}

async function postError(route, error, type) {
  const body = JSON.stringify(errorObject(error, type));
  console.error(`${new Date().toISOString()}\tundefined\tERROR\t${body}`);
  await request("POST", route, body, {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": type || "Runtime.UnhandledError",
  });
}

async function loadHandler() {
  const handler = process.env._HANDLER || "";
  const dot = handler.lastIndexOf(".");
  if (dot < 1) {
    const error = new Error(`Bad handler ${handler}`);
    error.name = "Runtime.MalformedHandlerName";
    throw error;
  }
  const moduleName = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let file = null;
  for (const ext of [".js", ".mjs", ".cjs"]) {
    if (fs.existsSync(path.join(root, moduleName + ext))) {
      file = path.join(root, moduleName + ext);
      break;
    }
  }
  if (file === null) {
    const error = new Error(`Cannot find module '${moduleName}'`);
    error.name = "Runtime.ImportModuleError";
    throw error;
  }
  let loaded;
  try {
    loaded = file.endsWith(".mjs") ? await import(pathToFileURL(file).href) : require(file);
  } catch (cause) {
    const error = new Error(`${cause && cause.message}`);
    error.name = "Runtime.ImportModuleError";
    error.stack = cause && cause.stack;
    throw error;
  }
  const fn = loaded[exportName] || (loaded.default && loaded.default[exportName]);
  if (typeof fn !== "function") {
    const error = new Error(`${moduleName}.${exportName} is undefined or not exported`);
    error.name = "Runtime.HandlerNotFound";
    throw error;
  }
  return fn;
}

function context(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: headers["lambda-runtime-client-context"]
      ? JSON.parse(headers["lambda-runtime-client-context"])
      : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function run(fn, event, ctx) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = fn(event, ctx, callback);
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}

async function main() {
  let fn;
  try {
    fn = await loadHandler();
  } catch (error) {
    await postError("/init/error", error, error.name);
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    if (next.headers["lambda-runtime-trace-id"]) {
      process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    }
    try {
      const event = JSON.parse(next.body.toString("utf8") || "null");
      const result = await run(fn, event, context(next.headers));
      await request("POST", `/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result), {
        "Content-Type": "application/json",
      });
    } catch (error) {
      await postError(`/invocation/${id}/error`, error, (error && error.name) || "Error");
    }
  }
}

main();
