#!/bin/sh
echo "hello from user data"
echo "made by user data" > made-at-boot.txt
