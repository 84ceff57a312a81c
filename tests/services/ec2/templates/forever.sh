#!/bin/sh
# A background worker the instance keeps running (it must not outlive the instance).
echo "worker started $$"
while true; do sleep 1; done
