"""AWS Step Functions: state machines, executions with durable history, activities, and the ASL
interpreter (`asl/`) that really runs them."""
