#!/bin/sh
# Deploy and try the cache-aside function against a running cloudlet with the AWS CLI.
#   cloudlet start &            # http://127.0.0.1:4566
#   sh examples/cache-aside/deploy.sh
set -eu
ENDPOINT=${ENDPOINT:-http://127.0.0.1:4566}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-000000000000} AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
aws() { command aws --endpoint-url "$ENDPOINT" "$@"; }
HERE=$(cd "$(dirname "$0")" && pwd)

aws dynamodb create-table --table-name items \
  --attribute-definitions AttributeName=id,AttributeType=S \
  --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
aws dynamodb put-item --table-name items --item '{"id": {"S": "42"}, "name": {"S": "answer"}}'

aws elasticache create-cache-cluster --cache-cluster-id items-cache --engine valkey \
  --cache-node-type cache.t3.micro --num-cache-nodes 1 >/dev/null
aws elasticache wait cache-cluster-available --cache-cluster-id items-cache
PORT=$(aws elasticache describe-cache-clusters --cache-cluster-id items-cache \
  --show-cache-node-info --query 'CacheClusters[0].CacheNodes[0].Endpoint.Port' --output text)

aws iam create-role --role-name cache-aside --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
(cd "$HERE" && rm -f /tmp/cache-aside.zip && zip -q /tmp/cache-aside.zip handler.py)
aws lambda create-function --function-name cache-aside --runtime python3.12 \
  --handler handler.handler --zip-file fileb:///tmp/cache-aside.zip \
  --role "arn:aws:iam::${AWS_ACCESS_KEY_ID}:role/cache-aside" \
  --environment "Variables={TABLE_NAME=items,CACHE_HOST=127.0.0.1,CACHE_PORT=$PORT,TTL_SECONDS=300}" >/dev/null
aws lambda wait function-active-v2 --function-name cache-aside

for attempt in 1 2; do
  aws lambda invoke --function-name cache-aside --cli-binary-format raw-in-base64-out \
    --payload '{"op": "get", "id": "42"}' /dev/stdout
  echo
done   # first: "source": "database", then: "source": "cache"
