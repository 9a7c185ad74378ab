# SPDX-License-Identifier: MIT
# Plot of `make bench`: gnuplot -e "dir='build/bench'" bench/plot.gp
# Reads dir/ring.csv and dir/utf8.csv, writes dir/throughput.png.
if (!exists("dir")) dir = 'build/bench'
ring = dir.'/ring.csv'
utf8 = dir.'/utf8.csv'

set terminal pngcairo size 1600,1100 font ",10"
set output dir.'/throughput.png'
set datafile separator ","
set multiplot layout 2,2 title "cirmem micro-benchmarks (medians; bars: min..max)"

set logscale xy
set xlabel "chunk (bytes)"
set ylabel "payload MB/s (write+read pairs)"
set xtics ("1" 1, "8" 8, "64" 64, "512" 512, "4K" 4096, "64K" 65536)
set key left top
set grid
set xrange [0.7:100000]

sel(cap, v) = sprintf("< awk -F, '$1==%d && $3==\"%s\"' %s", cap, v, ring)
caps = "4096 262144 67108864"
names = "4KiB 256KiB 64MiB"
variants = "overwrite bounded span limit byteloop"
colors = "#7b2cbf #2a9d8f #4895ef #e76f51 #343a40"

do for [i=1:3] {
    cap = int(word(caps, i))
    set title "ring ".word(names, i)
    plot for [j=1:5] sel(cap, word(variants, j)) using 2:4:5:6 \
         with yerrorlines lw 2 lc rgb word(colors, j) title word(variants, j)
}

unset logscale
set logscale y
unset xrange
set xtics auto
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.6 border -1
set title "UTF-8 reader, input MB/s"
set xlabel "text"
set ylabel "MB/s"
set yrange [1:*]
plot "< awk -F, '$2==\"cirmem\"' ".utf8 using 3:4:5:xtic(1) lc rgb "#7b2cbf" title "cirmem\\_read\\_utf8", \
     "< awk -F, '$2==\"glib\"' ".utf8 using 3:4:5 lc rgb "#e76f51" title "glib validate+copy"
unset multiplot
