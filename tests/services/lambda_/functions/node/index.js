// A Node.js handler: echoes the event with what the context says.
exports.handler = async (event, context) => {
  console.log("hello from node");
  return {
    message: "hello from node",
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    remaining: context.getRemainingTimeInMillis(),
  };
};

exports.fails = async () => {
  throw new TypeError("node went wrong");
};
