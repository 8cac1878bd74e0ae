fn main() {
    println!("trisim: under construction");
}
