# Starts up to 50 background sleeps, printing "started" after each fork that succeeded.
i=0
while [ "$i" -lt 50 ]; do
    sleep 5 &
    echo started
    i=$((i + 1))
done
wait
