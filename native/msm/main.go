// Command bastau-msm checks that a linear combination of ristretto255 points is the identity,
// for the batch verifier of the encrypted record (src/bastau/primaries/e2e/batch.py).
//
// All curve arithmetic is the libraries': ristretto255 decoding and encoding from
// github.com/bwesterb/go-ristretto, the multi-scalar multiplication (Straus, variable time: every
// input is public) from filippo.io/edwards25519. This file only moves coordinates between the two
// and frames the data.
//
// Protocol (binary, on stdin/stdout; one request after another until stdin closes):
//
//	request:  'M' || u32le n || n * (scalar (32, little-endian, below l) || point (32))
//	answer:   one byte: 1 the sum of scalar_i * point_i is the identity; 0 it is not;
//	          2 a point is not a canonical ristretto255 encoding; 3 a scalar is not below l
//
//	request:  'S' || u32le g || g * (u32le k || k points (32 each))
//	answer:   1 || g sums (32 each, ristretto255), or the single byte 2 if a point is not a
//	          canonical encoding (the identity is allowed in a sum)
//
// The terms are split over the processors (-p, default all): each part is decoded and multiplied
// in its own goroutine, in slices of at most 4096 points (memory), and the partial sums are added.
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
	rist "github.com/bwesterb/go-ristretto/edwards25519"
)

const (
	answerIdentity  = 1
	answerNotZero   = 0
	answerBadPoint  = 2
	answerBadScalar = 3
	slice           = 4096
	maxTerms        = 1 << 24
	termBytes       = 64
)

// toFilippo decodes a ristretto255 encoding (go-ristretto: refuses a non-canonical encoding or
// bit 255 set) and returns the same Edwards point as a filippo.io point.
func toFilippo(enc []byte, out *edwards25519.Point) bool {
	var buf [32]byte
	copy(buf[:], enc)
	var p rist.ExtendedPoint
	if !p.SetRistretto(&buf) {
		return false
	}
	var c [4]field.Element
	for i, fe := range []*rist.FieldElement{&p.X, &p.Y, &p.Z, &p.T} {
		var b [32]byte
		fe.BytesInto(&b)
		if _, err := c[i].SetBytes(b[:]); err != nil {
			return false
		}
	}
	if _, err := out.SetExtendedCoordinates(&c[0], &c[1], &c[2], &c[3]); err != nil {
		return false
	}
	return true
}

// isRistrettoIdentity encodes a filippo.io point with go-ristretto and compares it with the
// encoding of the identity (32 zero bytes): true for every point of the 4-torsion.
func isRistrettoIdentity(v *edwards25519.Point) bool {
	X, Y, Z, T := v.ExtendedCoordinates()
	var p rist.ExtendedPoint
	for i, fe := range []*field.Element{X, Y, Z, T} {
		var b [32]byte
		copy(b[:], fe.Bytes())
		dst := []*rist.FieldElement{&p.X, &p.Y, &p.Z, &p.T}[i]
		dst.SetBytes(&b)
	}
	var enc [32]byte
	p.RistrettoInto(&enc)
	return enc == [32]byte{}
}

// part multiplies the terms of data (64 bytes each) and adds the result into acc.
func part(data []byte, acc *edwards25519.Point) byte {
	n := len(data) / termBytes
	scalars := make([]*edwards25519.Scalar, 0, slice)
	points := make([]*edwards25519.Point, 0, slice)
	sBuf := make([]edwards25519.Scalar, slice)
	pBuf := make([]edwards25519.Point, slice)
	var sub edwards25519.Point
	for start := 0; start < n; start += slice {
		end := start + slice
		if end > n {
			end = n
		}
		scalars, points = scalars[:0], points[:0]
		for i := start; i < end; i++ {
			t := data[i*termBytes : (i+1)*termBytes]
			k := i - start
			if _, err := sBuf[k].SetCanonicalBytes(t[:32]); err != nil {
				return answerBadScalar
			}
			if !toFilippo(t[32:64], &pBuf[k]) {
				return answerBadPoint
			}
			scalars = append(scalars, &sBuf[k])
			points = append(points, &pBuf[k])
		}
		sub.VarTimeMultiScalarMult(scalars, points)
		acc.Add(acc, &sub)
	}
	return answerIdentity
}

func check(data []byte, procs int) byte {
	n := len(data) / termBytes
	if procs > n {
		procs = n
	}
	if procs < 1 {
		procs = 1
	}
	accs := make([]*edwards25519.Point, procs)
	codes := make([]byte, procs)
	var wg sync.WaitGroup
	per := (n + procs - 1) / procs
	for w := 0; w < procs; w++ {
		lo, hi := w*per, (w+1)*per
		if hi > n {
			hi = n
		}
		accs[w] = edwards25519.NewIdentityPoint()
		if lo >= hi {
			codes[w] = answerIdentity
			continue
		}
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			codes[w] = part(data[lo*termBytes:hi*termBytes], accs[w])
		}(w, lo, hi)
	}
	wg.Wait()
	for _, c := range codes { // a bad scalar or point wins over any sum
		if c != answerIdentity {
			return c
		}
	}
	total := edwards25519.NewIdentityPoint()
	for _, a := range accs {
		total.Add(total, a)
	}
	if isRistrettoIdentity(total) {
		return answerIdentity
	}
	return answerNotZero
}

// sums answers an 'S' request: the ristretto255 sum of each group (go-ristretto's addition).
func sums(in *bufio.Reader, out *bufio.Writer) error {
	var head [4]byte
	if _, err := io.ReadFull(in, head[:]); err != nil {
		return err
	}
	g := binary.LittleEndian.Uint32(head[:])
	if g > maxTerms {
		return fmt.Errorf("request too large")
	}
	res := make([]byte, 0, 1+32*int(g))
	res = append(res, answerIdentity)
	bad := false
	var buf [32]byte
	var p, acc rist.ExtendedPoint
	for i := uint32(0); i < g; i++ {
		if _, err := io.ReadFull(in, head[:]); err != nil {
			return err
		}
		k := binary.LittleEndian.Uint32(head[:])
		if k > maxTerms {
			return fmt.Errorf("request too large")
		}
		acc.SetZero()
		for j := uint32(0); j < k; j++ {
			if _, err := io.ReadFull(in, buf[:]); err != nil {
				return err
			}
			if bad {
				continue
			}
			if !p.SetRistretto(&buf) {
				bad = true
				continue
			}
			acc.Add(&acc, &p)
		}
		acc.RistrettoInto(&buf)
		res = append(res, buf[:]...)
	}
	if bad {
		return out.WriteByte(answerBadPoint)
	}
	_, err := out.Write(res)
	return err
}

func main() {
	procs := flag.Int("p", runtime.NumCPU(), "goroutines per request")
	flag.Parse()
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	var head [4]byte
	var data []byte
	for {
		op, err := in.ReadByte()
		if err == io.EOF {
			return
		}
		if err == nil && op == 'S' {
			err = sums(in, out)
			if err == nil {
				err = out.Flush()
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "bastau-msm:", err)
				os.Exit(2)
			}
			continue
		}
		if err == nil && op != 'M' {
			err = fmt.Errorf("unknown request %q", op)
		}
		if err == nil {
			_, err = io.ReadFull(in, head[:])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bastau-msm: bad request:", err)
			os.Exit(2)
		}
		n := binary.LittleEndian.Uint32(head[:])
		if n > maxTerms {
			fmt.Fprintln(os.Stderr, "bastau-msm: request too large")
			os.Exit(2)
		}
		size := int(n) * termBytes
		if cap(data) < size {
			data = make([]byte, size)
		}
		data = data[:size]
		if _, err := io.ReadFull(in, data); err != nil {
			fmt.Fprintln(os.Stderr, "bastau-msm: truncated request:", err)
			os.Exit(2)
		}
		out.WriteByte(check(data, *procs))
		if err := out.Flush(); err != nil {
			os.Exit(2)
		}
	}
}
