#!/bin/sh
# IMDSv2 as the AWS CLI and SDKs use it: a token first, then the metadata with it.
TOKEN=$(curl -s -X PUT "${AWS_EC2_METADATA_SERVICE_ENDPOINT}latest/api/token" \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 60")
get() { curl -s -H "X-aws-ec2-metadata-token: $TOKEN" "${AWS_EC2_METADATA_SERVICE_ENDPOINT}latest/$1"; }
echo "instance-id=$(get meta-data/instance-id)"
echo "ami-id=$(get meta-data/ami-id)"
echo "instance-type=$(get meta-data/instance-type)"
echo "zone=$(get meta-data/placement/availability-zone)"
echo "region=$(get meta-data/placement/region)"
echo "local-ipv4=$(get meta-data/local-ipv4)"
echo "user-data-first-line=$(get user-data | head -n 1)"
echo "done"
